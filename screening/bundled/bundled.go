// Package bundled embeds the public sanctions lists Warden ships with (OFAC
// SDN and consolidated non-SDN, 2021 releases; UN consolidated, 2026-02-27),
// so that the embedded default screens from the first start with no other
// service or download. Production deployments load current lists with
// `warden lists load` (see docs/lists.md).
package bundled

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/wardenhq/warden/screening"
)

//go:embed data/ofac-sdn-2021/*.csv data/ofac-cons/*.csv data/un/un_consolidated.xml
var files embed.FS

// Load parses every bundled list.
func Load() ([]*screening.Snapshot, error) {
	sdnFS, err := fs.Sub(files, "data/ofac-sdn-2021")
	if err != nil {
		return nil, err
	}
	sdn, err := screening.LoadOFACSDN(sdnFS)
	if err != nil {
		return nil, fmt.Errorf("bundled OFAC SDN: %w", err)
	}
	consFS, err := fs.Sub(files, "data/ofac-cons")
	if err != nil {
		return nil, err
	}
	cons, err := screening.LoadOFACConsolidated(consFS)
	if err != nil {
		return nil, fmt.Errorf("bundled OFAC consolidated: %w", err)
	}
	f, err := files.Open("data/un/un_consolidated.xml")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	un, err := screening.LoadUN(f, "un_consolidated.xml")
	if err != nil {
		return nil, fmt.Errorf("bundled UN: %w", err)
	}
	return []*screening.Snapshot{sdn, cons, un}, nil
}
