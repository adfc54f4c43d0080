package screening

import "io/fs"

// LoadOFACConsolidated loads OFAC's consolidated non-SDN lists (the Sectoral
// Sanctions Identifications list, the Non-SDN Menu-Based Sanctions list, the
// NS-PLC and NS-CMIC lists and others) from their CSV release:
// cons_prim.csv, cons_add.csv, cons_alt.csv and cons_comments.csv at the
// root of fsys. The files share the SDN CSV layout, so the same reader
// serves both; the non-SDN programs are in each entity's Programs.
func LoadOFACConsolidated(fsys fs.FS) (*Snapshot, error) {
	return loadOFACSet(fsys, SourceOFACCons, consFiles)
}
