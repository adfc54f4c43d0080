package fincen

// Suspicious activity subtype codes (ValidateSuspiciousActivitySubtypeID)
// Warden's rules and analysts use most; any code of the enumeration is
// accepted. The category (ValidateSuspiciousActivityTypeID) is derived from
// the subtype: code/100 for 106..1204 and code/1000 for the "other" codes
// that end in 999.
const (
	SubStructuringBelowCTR       = 114  // structuring: transaction(s) below CTR threshold
	SubStructuringAvoidCTR       = 112  // structuring: alters or cancels transaction to avoid CTR requirement
	SubStructuringBelowRecords   = 113  // structuring: below BSA recordkeeping threshold
	SubFraudWire                 = 312  // fraud: wire transfer
	SubFraudACH                  = 320  // fraud: ACH
	SubFraudAdvanceFee           = 322  // fraud: advance fee
	SubTerroristKnown            = 701  // terrorist financing: known or suspected terrorist/terrorist organization
	SubMLFunnelAccount           = 824  // money laundering: funnel account
	SubMLSuspiciousEFT           = 805  // money laundering: suspicious EFT/wire transfers
	SubMLMultipleAccounts        = 807  // money laundering: suspicious use of multiple accounts
	SubMLOutOfPattern            = 812  // money laundering: transaction out of pattern for customer(s)
	SubMLSourceOfFunds           = 821  // money laundering: suspicious concerning the source of funds
	SubMLThirdParty              = 809  // money laundering: straw-man
	SubOtherNoPurpose            = 925  // other: transaction with no apparent economic, business, or lawful purpose
	SubOtherHighRiskJurisdiction = 928  // other: transaction(s) involving foreign high risk jurisdiction
	SubOtherIdentityTheft        = 905  // other: identity theft
	SubOtherAccountTakeover      = 920  // other: account takeover
	SubOtherUnlicensedMSB        = 913  // other: unlicensed or unregistered MSB
	OtherStructuring             = 1999 // structuring: other (needs OtherText)
	OtherFraud                   = 3999
	OtherTerroristFinancing      = 7999
	OtherMoneyLaundering         = 8999
	OtherSuspicious              = 9999
)

// sarSubtypes is the schema's ValidateSuspiciousActivitySubtypeID
// enumeration (EFL_SARXBatchSchema.xsd v1.2), a constant table.
var sarSubtypes = map[int]bool{
	106: true, 111: true, 112: true, 113: true, 114: true,
	301: true, 304: true, 305: true, 308: true, 309: true, 310: true, 312: true, 320: true, 321: true, 322: true, 323: true, 324: true, 325: true,
	401: true, 402: true, 403: true, 404: true, 405: true, 409: true,
	501: true, 502: true, 504: true, 505: true, 506: true, 507: true,
	601: true, 603: true, 604: true, 608: true, 609: true,
	701: true,
	801: true, 804: true, 805: true, 806: true, 807: true, 808: true, 809: true, 812: true, 820: true, 821: true, 822: true, 823: true, 824: true,
	901: true, 903: true, 904: true, 905: true, 907: true, 908: true, 909: true, 910: true, 911: true, 913: true, 917: true, 920: true, 921: true, 922: true, 924: true, 925: true, 926: true, 927: true, 928: true,
	1001: true, 1003: true, 1005: true, 1006: true, 1007: true,
	1101: true, 1102: true,
	1201: true, 1202: true, 1203: true, 1204: true,
	1999: true, 3999: true, 4999: true, 5999: true, 6999: true, 7999: true, 8999: true, 9999: true, 10999: true, 11999: true, 12999: true,
}

// activityType returns the category of a subtype code.
func activityType(subtype int) (int, bool) {
	if !sarSubtypes[subtype] {
		return 0, false
	}
	if subtype%1000 == 999 {
		return subtype / 1000, true
	}
	return subtype / 100, true
}

// ctrRegulators is the CTR schema's ValidateFederalRegulatorCodeType.
var ctrRegulators = map[string]bool{"1": true, "2": true, "3": true, "4": true, "6": true, "7": true, "9": true, "14": true}
