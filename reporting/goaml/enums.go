// The enumerations of testdata/goAMLSchema-5.0.2.xsd the writer checks
// inputs against, so that a bad code is a field error naming the input
// rather than a file the FIU rejects. TestEnumerationsMatchSchema reads the
// schema in testdata and names every code these constant tables lack or
// have in excess, so replacing the schema tells exactly what to change here.

package goaml

// countries is the schema's country_type enumeration (ISO 3166-1 alpha-2 country codes).
var countries = set(
	"-", "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AN", "AO", "AQ", "AR", "AS", "AT", "AU", "AW",
	"AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
	"BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL",
	"CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ",
	"EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD",
	"GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY",
	"HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",
	"JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KS", "KW", "KY", "KZ",
	"LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF",
	"MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX",
	"MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA",
	"PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO",
	"RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN",
	"SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL",
	"TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC",
	"VE", "VG", "VI", "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
)

// currencies is the schema's currency_type enumeration (ISO 4217 currency codes).
var currencies = set(
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "AOK", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
	"BEC", "BEL", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BUK", "BWP", "BYR",
	"BZD", "CAD", "CDF", "CDZ", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP",
	"CZK", "DIAMN", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
	"GEL", "GHS", "GMD", "GNF", "GNS", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS",
	"INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
	"KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LSM", "LTL", "LVL", "MAD", "MDL", "MGA", "MKD",
	"MMK", "MNT", "MOP", "MRO", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
	"NPR", "NZD", "OMR", "PAB", "PEN", "PES", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
	"RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLL", "SOS", "SRD", "SSP", "STD",
	"SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TPE", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX",
	"USD", "USN", "USS", "UYP", "UYU", "UZS", "VEF", "VND", "VUV", "WST", "XAB", "XAF", "XAG", "XAU",
	"XBA", "XBB", "XBC", "XBD", "XBS", "XBT", "XCD", "XDH", "XDR", "XEC", "XES", "XET", "XFU", "XIT",
	"XLM", "XLN", "XMR", "XNO", "XOF", "XOM", "XOX", "XPD", "XPF", "XPT", "XRP", "XSA", "XTC", "XTG",
	"XTP", "XTS", "XXX", "XZC", "YER", "ZAR", "ZMK", "ZMW",
)

// conductionTypes is the schema's conduction_type enumeration (transmode_code: how a transaction was conducted).
var conductionTypes = set(
	"-", "ATM", "ATMWT", "BO", "CBMNT", "CCD", "CDM", "CRNEX", "DAWLT", "DBCD", "DRPCB", "DSB", "DTB",
	"ELCFT", "INTRN", "LCRD", "MB", "OCT", "ONBNK", "PPCD", "SWIFT",
)

// fundsTypes is the schema's funds_type enumeration (from_funds_code / to_funds_code).
var fundsTypes = set(
	"ATM", "B", "BANKD", "CASH", "CCS", "CDP", "CHQ", "CRPTC", "CRTCR", "DDS", "DPOST", "ELCFT",
	"FRACC", "FTS", "GBB", "IPI", "JEWL", "LIFIP", "LOYAL", "MNYOR", "PGS", "PMTST", "POS", "POSMS",
	"PRNOT", "RELST", "RRS", "SECUR", "SWF", "TRVLC", "VEHIC", "WPS",
)

// identifierTypes is the schema's identifier_type enumeration (identification document types).
var identifierTypes = set(
	"-", "COINC", "DRIVL", "EID", "EIDF", "FMLYB", "GCCID", "GOVDC", "PASSP", "TRADL", "TRSTD",
)

// contactTypes is the schema's contact_type enumeration (address_type / tph_contact_type).
var contactTypes = set(
	"-", "BU", "OFFIC", "OPRTL", "PRIVT", "PRSNL", "REG", "RES",
)

// communicationTypes is the schema's communication_type enumeration (tph_communication_type).
var communicationTypes = set(
	"-", "F", "L", "M", "P", "S",
)

// reportIndicators is the schema's report_indicator_type enumeration (report_indicators/indicator).
var reportIndicators = set(
	"ACTRC", "AFFRD", "AFQSC", "ALCNJ", "ALCNR", "ALP01", "ALP02", "ALP03", "ALP04", "ALP05", "ALP06",
	"ALP07", "ANDRS", "ANP01", "ANP02", "ANP03", "ANP04", "ANP05", "ANP06", "ANP07", "ANP08", "ANP09",
	"ANP10", "ANP11", "ANP12", "ANP13", "ANP14", "ANPOR", "ARIET", "ASKS", "ATMFR", "AVOID", "BBCRP",
	"BCNNP", "BEHAV", "BIDWT", "BOAUI", "BRIBE", "BWTHM", "CAOCS", "CAUHA", "CBMFP", "CBODS", "CCOAF",
	"CCOLN", "CDATM", "CDFAS", "CDLC", "CFTCZ", "CHBEN", "CHQDP", "CIAPT", "CLCAC", "CLLPS", "CLSIT",
	"CMCTH", "CMTSA", "CNTRF", "CODLC", "COMPL", "COVRT", "CPCHQ", "CPINS", "CPP01", "CRATE", "CRPAC",
	"CRRCF", "CRYMX", "CSAM1", "CSEWA", "CSHEP", "CSJNE", "CSPOA", "CSSIP", "CSUBS", "CTRGB", "CUHTI",
	"DAMDS", "DCEXC", "DCSRF", "DDAFC", "DISCN", "DISCR", "DISTA", "DOCNT", "DPMSI", "DPMSJ", "DPMSN",
	"DRG01", "DRG02", "DRG03", "DRG04", "DRG05", "DRKM1", "DRMTA", "DTNTR", "EATPV", "EAUBO", "EEXCB",
	"EJEUA", "ELLLS", "EORIC", "EURSE", "FAICD", "FALSI", "FAMLY", "FATM", "FCA01", "FCA02", "FCA03",
	"FCA04", "FCA05", "FCA06", "FCA07", "FCA08", "FCA09", "FCA10", "FCA11", "FCA12", "FCA13", "FCA14",
	"FCA15", "FCA16", "FCA17", "FCCFI", "FCSCS", "FDFRI", "FDFRR", "FFSIT", "FIFIP", "FMLPM", "FNACC",
	"FORCD", "FOWNB", "FPOES", "FRDBG", "FRDCF", "FRDHL", "FRDIG", "FRDMB", "FRDMR", "FRDRR", "FRDVC",
	"FRESL", "FRICA", "FRQDW", "FSDSB", "FSNCA", "FTIEA", "FTRWA", "FURTP", "FXCUR", "HIRNR", "HRCTR",
	"HRJWT", "HRVA1", "IAORG", "ICANA", "ICFCC", "ICICP", "ICSLP", "IDVER", "IETHR", "IIWTA", "ININF",
	"INTWD", "INWMI", "IPOWT", "ISHRV", "ITLSL", "ITTRD", "IUIUD", "IUVC0", "IUVC1", "IUVC2", "IUVC3",
	"IUVC4", "IUVC5", "IUVC6", "IUVC8", "IUVC9", "IVADA", "JSUAC", "KTSSP", "LADST", "LAVBS", "LBFNA",
	"LCGLD", "LCGRP", "LCHRC", "LCINC", "LOCRS", "LOWBL", "LPRNR", "LPSIT", "LPUTO", "LRGCS", "LRTSM",
	"LSTPC", "LTINV", "MACCA", "MACMN", "MCDSL", "MCDWS", "MHVPS", "ML001", "ML002", "ML003", "ML004",
	"ML005", "ML006", "ML007", "ML008", "ML009", "ML010", "ML011", "ML012", "ML013", "MLTAC", "MMINV",
	"MMOT", "MNTRF", "MONIS", "MORDD", "MPINS", "MRAHT", "MSBWT", "MSDBR", "MSREP", "MTOCB", "MURCW",
	"MWTDS", "NBPNO", "NBRPT", "NBRT", "NEJUS", "NIUTS", "NKYC1", "NMISA", "NMRAN", "NOCNT", "NODAT",
	"NOEPC", "NOID", "NOMRG", "NOPUR", "NORCD", "NRPDD", "NTFTP", "OCRIP", "OESOP", "OFFSH", "ONACC",
	"OOUPG", "ORGC1", "ORGC2", "ORGC3", "OUMID", "OUTAD", "PACCB", "PAYPL", "PCAFT", "PCBHA", "PCOMP",
	"PCPPP", "PDIM", "PESRA", "PF001", "PF002", "PF003", "PF004", "PF005", "PF006", "PF007", "PF008",
	"PF009", "PF010", "PF011", "PF012", "PFCSA", "PFPO1", "PFPO2", "PML01", "PML02", "PML03", "PML04",
	"PML05", "PML06", "PML07", "PML08", "PML09", "PML10", "PML11", "PML12", "PPPAO", "PPUNS", "PSCOL",
	"PSHPS", "PSPIP", "PSRJS", "PSTR1", "PSTR2", "PTHRD", "PUSID", "QMOFS", "REAR1", "REAR2", "REAR3",
	"REJAP", "RELCT", "RESUB", "RFIUR", "RFPRA", "RIBIC", "RPSIS", "RRFTC", "RRLCP", "RTMSB", "SACRD",
	"SADIS", "SAMAD", "SAMIF", "SBAMB", "SBAMD", "SCTFS", "SDBLT", "SDPCD", "SDWPS", "SFSPS", "SGBCD",
	"SIDCM", "SIWOT", "SLCPB", "SLEMI", "SMRDP", "SMRFS", "SNPUL", "SPDAC", "SPSIT", "SPTSM", "SPUML",
	"SSBBF", "SSICB", "STDNT", "STOPM", "STRPS", "STRUC", "SVACC", "TAELC", "TAICE", "TCAST", "TDITM",
	"TE001", "TE002", "TFCTC", "TFDNP", "TFFSM", "TFFTH", "TFFVC", "TFITF", "TFOCF", "TFS01", "TFS02",
	"TFS03", "TFSDL", "TFSTC", "TFSUN", "TFTAU", "THRDD", "THRDP", "THRPC", "TLVCD", "TMHRC", "TML01",
	"TML02", "TML03", "TML04", "TML05", "TML06", "TML07", "TML08", "TML09", "TML10", "TML11", "TML12",
	"TML13", "TML14", "TML15", "TML16", "TML17", "TML18", "TML19", "TML20", "TML21", "TML22", "TML23",
	"TML24", "TML25", "TML26", "TML27", "TOGTH", "TORGA", "TRDPP", "TREAT", "TRVCH", "TSUCO", "UCAFC",
	"UCRPI", "UFNPO", "UHACT", "UHWLT", "UIPPS", "ULICE", "UMFAC", "UNFAM", "UNLAG", "UNUSU", "UNWIL",
	"UUMTC", "VPIES", "WICNB", "WRNIP", "WTOHC",
)

// reportTypes is the schema's report_type enumeration (report_code).
var reportTypes = set(
	"AIF", "AIFT", "CIR", "CNMRA", "DPMSR", "ECDD", "ECDDT", "HRC", "HRCA", "IRR", "ITR", "PNMRA",
	"PSTR", "REAR", "SAR", "SIR", "STR",
)

// accountTypes is the schema's account_type enumeration (personal_account_type).
var accountTypes = set(
	"-", "A", "B", "BONDS", "BRK", "C", "CRDTC", "CRTFD", "CRYWT", "DBCD", "DMAT", "DMNDD", "FDWLT",
	"FXDDP", "INV", "INVRA", "JACC", "LCRDS", "LOAN", "MMA", "MNMSB", "NBOND", "NIS", "OFSAC",
	"PREPD", "TP",
)

// accountStatuses is the schema's account_status_type enumeration (status_code).
var accountStatuses = set(
	"-", "A", "B", "BLK", "C", "CLS", "DSD", "FROZN", "RSTRD", "UNCL",
)

// accountRoles is the schema's account_person_role_type enumeration (signatory role).
var accountRoles = set(
	"-", "AGENT", "JAH", "LGG", "MINOR", "NTRLG", "PAH", "POA", "SETLR", "SRVIV", "SSIGN", "TRB",
	"TRSTE", "TRSUR", "UBO",
)

// entityRoles is the schema's entity_person_role_type enumeration (director role).
var entityRoles = set(
	"ATR", "BEN", "CMPNS", "DIR", "LIQUI", "MGR", "ND", "NS", "PRO", "PRTNR", "SETLR", "SHRHL",
	"TRSTE", "UBO",
)

// legalForms is the schema's legal_form_type enumeration (incorporation_legal_form).
var legalForms = set(
	"-", "AAFSI", "ACCOM", "ADVMR", "AENTA", "AEXOR", "AHEDP", "AHOMC", "AIRTR", "AMEMO", "BUILD",
	"CAPHS", "CARTE", "CIVEN", "CONST", "CPCRA", "ECPNG", "EDUCA", "EGSAC", "EMPAC", "FINSA", "FISHA",
	"FOODB", "FRSTL", "GAMBL", "HHAS", "INFOS", "IRPIF", "LAMOC", "LEGAL", "LTTVP", "MBAMS", "MBEVG",
	"MCEOP", "MCHEM", "MCRPP", "MELCE", "MFMP", "MFOOD", "MFURN", "MGAMT", "MIJEW", "MINCI", "MINMO",
	"MINSS", "MJEWB", "MJEWR", "MLEAT", "MMACE", "MMDIS", "MMUSI", "MMVTS", "MONMM", "MPAPP", "MPHAR",
	"MPVTV", "MRUBP", "MSPOR", "MTEXT", "MTOBP", "MTREQ", "MWEAR", "MWOOD", "OAOSB", "OPSAS", "OPSTA",
	"OTHMA", "OTHMQ", "PADCS", "POSTC", "PRNTM", "PROBA", "PRVHG", "PUBLS", "RCPHG", "REALA", "REMAC",
	"RENTL", "RESCA", "RIMEQ", "RTEMV", "SCRSD", "SECUR", "SEWER", "SOCWR", "SPAAR", "SPECA", "TATOR",
	"TELCO", "VETAC", "WCTDA", "WCTRS", "WJDPS", "WRTMV", "WSATR", "WTEMV", "WTRTR",
)

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}
