package ownership

import (
	"math/big"
	"reflect"
	"testing"

	"github.com/wardenhq/warden"
)

func TestBeneficialOwners(t *testing.T) {
	for _, tc := range []struct {
		name      string
		parties   []Party
		stakes    []Stake
		threshold int
		owners    []string // in order
		control   string
		findings  []string // codes
	}{
		{
			name:    "direct 25% exactly is in, 24.99% out",
			parties: parties("P1", "P2", "P3", "R>P3"),
			stakes:  []Stake{st("P1", "R", 2500), st("P2", "R", 2499), st("P3", "R", 5001)},
			owners:  []string{"P3", "P1"},
			control: "P3",
		},
		{
			name:    "indirect exactly 25% (50% of 50%) is in",
			parties: parties("P1", "A", "R>P1"),
			stakes:  []Stake{st("P1", "A", 5000), st("A", "R", 5000)},
			owners:  []string{"P1"},
			control: "P1",
		},
		{
			name:    "indirect 24.999999% (49.99% of 50.01%) out though it rounds to 25.00%",
			parties: parties("P1", "A", "R>P1"),
			// 0.4999 * 0.5001 = 0.24999999: half-up rounding to bp would say 2500.
			stakes:  []Stake{st("P1", "A", 4999), st("A", "R", 5001)},
			owners:  nil,
			control: "P1",
		},
		{
			name:    "cross paths reach 25% only in aggregate",
			parties: parties("P1", "A", "B", "C", "R>P1"),
			// 0.5*0.3 + 0.5*0.2*0.5 + 0.05 = 0.15 + 0.05 + 0.05 = 0.25
			stakes:  []Stake{st("P1", "A", 5000), st("A", "R", 3000), st("P1", "B", 5000), st("B", "C", 2000), st("C", "R", 5000), st("P1", "R", 500)},
			owners:  []string{"P1"},
			control: "P1",
		},
		{
			name:     "missing control person",
			parties:  parties("P1", "R"),
			stakes:   []Stake{st("P1", "R", 10000)},
			owners:   []string{"P1"},
			findings: []string{FindingMissingControlPerson},
		},
		{
			name:      "custom 10% threshold",
			parties:   parties("P1", "P2", "R>P2"),
			stakes:    []Stake{st("P1", "R", 1000), st("P2", "R", 999)},
			threshold: 1000,
			owners:    []string{"P1"},
			control:   "P2",
		},
		{
			name:     "cycle is a finding",
			parties:  parties("P1", "A", "R>P1"),
			stakes:   []Stake{st("A", "R", 5000), st("R", "A", 5000), st("P1", "A", 5000)},
			owners:   []string{"P1"},
			control:  "P1",
			findings: []string{FindingOwnershipCycle},
		},
		{
			name:    "ties sorted by id",
			parties: parties("P2", "P1", "R>P1"),
			stakes:  []Stake{st("P2", "R", 5000), st("P1", "R", 5000)},
			owners:  []string{"P1", "P2"},
			control: "P1",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := mustGraph(t, tc.parties, tc.stakes...)
			res, err := g.BeneficialOwners("R", tc.threshold)
			if err != nil {
				t.Fatal(err)
			}
			var owners, findings []string
			for _, o := range res.Owners {
				owners = append(owners, o.PartyID)
				if len(o.Paths) == 0 {
					t.Errorf("%s has no paths", o.PartyID)
				}
			}
			for _, f := range res.Findings {
				findings = append(findings, f.Code)
			}
			if !reflect.DeepEqual(owners, tc.owners) {
				t.Errorf("owners = %v, want %v", owners, tc.owners)
			}
			if res.ControlPerson != tc.control {
				t.Errorf("control person = %q, want %q", res.ControlPerson, tc.control)
			}
			if !reflect.DeepEqual(findings, tc.findings) {
				t.Errorf("findings = %v, want %v", findings, tc.findings)
			}
			if res.Complete() != (len(tc.findings) == 0) {
				t.Errorf("complete = %v", res.Complete())
			}
		})
	}
}

func TestBeneficialOwnersShareExact(t *testing.T) {
	g := mustGraph(t, parties("P1", "A", "R>P1"), st("P1", "A", 5000), st("A", "R", 5000))
	res, err := g.BeneficialOwners("R", 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.ThresholdBP != DefaultThresholdBP || res.Owners[0].Share.Cmp(big.NewRat(1, 4)) != 0 || res.Owners[0].BP != 2500 {
		t.Fatalf("got %+v", res.Owners[0])
	}
}

func TestBeneficialOwnersInvalid(t *testing.T) {
	g := mustGraph(t, parties("P1", "R"), st("P1", "R", 100))
	for _, th := range []int{-1, 10001} {
		if _, err := g.BeneficialOwners("R", th); warden.ErrorCode(err) != warden.EINVALID {
			t.Errorf("threshold %d: err = %v", th, err)
		}
	}
	if _, err := g.BeneficialOwners("P1", 0); warden.ErrorCode(err) != warden.EINVALID {
		t.Errorf("individual root: err = %v", err)
	}
	if f := g.ControlPersonFinding("P1"); f != nil {
		t.Errorf("individual needs no control person: %+v", f)
	}
	if f := g.ControlPersonFinding("R"); f == nil || f.Code != FindingMissingControlPerson || f.PartyID != "R" {
		t.Errorf("finding = %+v", f)
	}
}
