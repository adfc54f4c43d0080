// Package document validates identity documents for KYC: machine-readable
// zones of passports and ID cards (ICAO 9303 TD3 and TD1), the cross-check of
// an MRZ against the customer record, national and US tax identifier formats,
// and the age of a proof of address. It is pure domain code: no I/O.
package document
