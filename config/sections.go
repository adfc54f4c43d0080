package config

// The settings of the compliance and reporting parts, kept apart from the
// core ones in config.go.

// Reporting configures regulatory reports.
type Reporting struct {
	// BusinessDayCutoff is the local time (business_timezone) after which a
	// transaction belongs to the next business day, HH:MM.
	BusinessDayCutoff string `yaml:"business_day_cutoff"`
	// Holidays are YYYY-MM-DD dates that are not business days.
	Holidays []string `yaml:"holidays"`
	// USDRates convert other currencies to US dollars for the CTR
	// threshold: USD per one unit, as decimal strings ("0.0077" for KES).
	USDRates map[string]string `yaml:"usd_rates"`
	// CTRExempt lists customer ids exempt from CTRs (31 CFR 1020.315).
	CTRExempt []string `yaml:"ctr_exempt"`
	// ScheduledClose closes each business day after its cut-off, on one
	// replica at a time (a store lease).
	ScheduledClose bool `yaml:"scheduled_close"`
	// Institution files the reports; Transmitter sends FinCEN batches
	// (often the institution itself, with the TCC FinCEN issued).
	Institution Institution `yaml:"institution"`
	Transmitter Transmitter `yaml:"transmitter"`
	// GoAML configures reports to Kenya's Financial Reporting Centre.
	GoAML GoAML `yaml:"goaml"`
}

// GoAML configures goAML exports.
type GoAML struct {
	// EntityID is the reporting entity's goAML id (rentity_id) the FIU
	// assigned; Branch is optional.
	EntityID      int           `yaml:"entity_id"`
	Branch        string        `yaml:"branch"`
	LocalCurrency string        `yaml:"local_currency"`
	Institution   string        `yaml:"institution_name"`
	SWIFT         string        `yaml:"swift"`
	Location      PostalAddress `yaml:"location"`
	// ReportingPerson is the MLRO who files.
	ReportingFirstName string `yaml:"reporting_first_name"`
	ReportingLastName  string `yaml:"reporting_last_name"`
	ReportingPhone     string `yaml:"reporting_phone"` // national number, digits
	PhonePrefix        string `yaml:"phone_prefix"`    // e.g. 254
	// CashThresholdUSD is the cash report threshold in US dollars (FRC:
	// USD 15,000 or its equivalent), a decimal string.
	CashThresholdUSD string `yaml:"cash_threshold_usd"`
	// Rates are units of each currency per US dollar ("KES": "129.25").
	Rates map[string]string `yaml:"rates"`
	// Timezone writes the report's times (goAML has no offsets).
	Timezone string `yaml:"timezone"`
}

// PostalAddress is an address in reports.
type PostalAddress struct {
	Street     string `yaml:"street"`
	City       string `yaml:"city"`
	State      string `yaml:"state"`
	PostalCode string `yaml:"postal_code"`
	Country    string `yaml:"country"`
}

// Institution identifies the reporting institution.
type Institution struct {
	LegalName string        `yaml:"legal_name"`
	EIN       string        `yaml:"ein"`
	RSSD      string        `yaml:"rssd"`
	Address   PostalAddress `yaml:"address"`
	// PrimaryRegulator: federal_reserve, fdic, ncua, occ, sec, irs or cftc.
	PrimaryRegulator string `yaml:"primary_regulator"`
	// Type: depository, msb, casino, securities or other.
	Type          string `yaml:"type"`
	ContactOffice string `yaml:"contact_office"`
	ContactPhone  string `yaml:"contact_phone"`
}

// Transmitter sends batch files to FinCEN.
type Transmitter struct {
	Name        string        `yaml:"name"`
	TIN         string        `yaml:"tin"`
	TCC         string        `yaml:"tcc"`
	Address     PostalAddress `yaml:"address"`
	Phone       string        `yaml:"phone"`
	ContactName string        `yaml:"contact_name"`
}

// Monitoring configures transaction monitoring.
type Monitoring struct {
	// BuiltinRules loads the built-in rule pack (monitoring/pack).
	BuiltinRules bool `yaml:"builtin_rules"`
	// RulesFile is a YAML file of further rules (or new versions of built-in
	// ones), loaded at start; rules changed through the API are kept in the
	// store as new versions.
	RulesFile string `yaml:"rules_file"`
	// WindowKeys bounds the sliding-window state held in memory (customers,
	// accounts, counterparties and agents together); keys beyond it are
	// evicted least recently used first and reloaded from the store.
	WindowKeys int `yaml:"window_keys"`
	// History is the longest window rules may use.
	History Duration `yaml:"history"`
}

// Kafka configures the transaction intake from Kafka; empty Brokers turns
// it off.
type Kafka struct {
	Brokers     []string `yaml:"brokers"`
	InputTopic  string   `yaml:"input_topic"`
	OutputTopic string   `yaml:"output_topic"`
	Group       string   `yaml:"group"`
	// TLS connects with TLS 1.2+; CAFile adds a CA bundle to trust.
	TLS    bool   `yaml:"tls"`
	CAFile string `yaml:"ca_file"`
	// SASL: mechanism SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN (PLAIN only
	// over TLS); the password is read from PasswordFile, never from the
	// configuration itself.
	SASLMechanism string `yaml:"sasl_mechanism"`
	Username      string `yaml:"username"`
	PasswordFile  string `yaml:"password_file"`
}
