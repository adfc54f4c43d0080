package kyc_test

import (
	"testing"
	"time"

	"github.com/wardenhq/warden/kyc"
)

func TestRateRisk(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p := kyc.DefaultRiskPolicy()
	base := func() *kyc.Customer {
		return &kyc.Customer{ID: "c", CustomerData: kyc.CustomerData{Type: "individual", Country: "GB", Nationality: "GB"},
			Screening: &kyc.ScreeningSummary{}}
	}
	cases := []struct {
		name   string
		edit   func(*kyc.Customer, **kyc.OwnershipAnalysis)
		rating string
		review string
		factor string
	}{
		{"plain", func(*kyc.Customer, **kyc.OwnershipAnalysis) {}, "low", "2029-05-31", ""},
		{"monitored country", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) { c.Country = "KE" }, "low", "2029-05-31", "country_risk"},
		{"monitored twice", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) { c.Country, c.Nationality = "KE", "KE" }, "medium", "2028-05-31", "country_risk"},
		{"high-risk country", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) { c.Nationality = "IR" }, "medium", "2028-05-31", "country_risk"},
		{"pep", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) {
			c.Screening.Hits = []kyc.ScreeningHit{{List: "own-pep", EntryID: "p1"}}
		}, "medium", "2028-05-31", "pep"},
		{"sanctions hit", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) {
			c.Screening.Hits = []kyc.ScreeningHit{{List: "ofac-sdn", EntryID: "306"}}
		}, "high", "2027-06-01", "sanctions_proximity"},
		{"blocked by ownership", func(c *kyc.Customer, o **kyc.OwnershipAnalysis) {
			*o = &kyc.OwnershipAnalysis{BlockedByOwnership: true}
		}, "high", "2027-06-01", "sanctions_proximity"},
		{"opaque ownership and casino", func(c *kyc.Customer, o **kyc.OwnershipAnalysis) {
			c.Type, c.BusinessType = "entity", "Casino and gaming"
			*o = &kyc.OwnershipAnalysis{Findings: []string{"ownership cycle"}}
		}, "medium", "2028-05-31", "ownership_opacity"},
		{"ordinary products", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) {
			c.Products, c.Channels = []string{"mobile_wallet", "savings"}, []string{"branch"}
		}, "low", "2029-05-31", ""},
		{"wires opened remotely", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) {
			c.Products, c.Channels = []string{"mobile_wallet", "international_wire"}, []string{"non_face_to_face"}
		}, "medium", "2028-05-31", "channels"},
		{"risky product only", func(c *kyc.Customer, _ **kyc.OwnershipAnalysis) { c.Products = []string{"prepaid_card"} }, "low", "2029-05-31", "products"},
	}
	for _, tc := range cases {
		c := base()
		var own *kyc.OwnershipAnalysis
		tc.edit(c, &own)
		r := kyc.RateRisk(c, own, p, now)
		if r.Rating != tc.rating || r.NextReview != tc.review {
			t.Errorf("%s: %+v, want %s reviewed %s", tc.name, r, tc.rating, tc.review)
		}
		found := tc.factor == ""
		for _, f := range r.Factors {
			found = found || f.Factor == tc.factor
		}
		if !found || (tc.factor == "" && len(r.Factors) != 0) {
			t.Errorf("%s: factors %+v, want %q", tc.name, r.Factors, tc.factor)
		}
	}
}
