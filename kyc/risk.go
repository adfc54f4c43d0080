package kyc

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden"
)

// Risk ratings.
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)

// RiskPolicy is the configurable part of risk rating.
type RiskPolicy struct {
	// HighRiskCountries and MonitoredCountries hold ISO alpha-2 codes.
	HighRiskCountries  []string
	MonitoredCountries []string
	// HighRiskBusinesses are business types (case-insensitive) that raise risk.
	HighRiskBusinesses []string
	// HighRiskProducts and HighRiskChannels name products and delivery
	// channels that raise risk (FFIEC BSA/AML Examination Manual, "Risks
	// Associated with Money Laundering and Terrorist Financing").
	HighRiskProducts []string
	HighRiskChannels []string
	// ReviewEvery is the review interval per rating.
	ReviewEvery map[string]time.Duration
}

// DefaultRiskPolicy uses the FATF lists as published in October 2025
// ("High-Risk Jurisdictions subject to a Call for Action": DPRK, Iran,
// Myanmar; "Jurisdictions under Increased Monitoring"). Lists change three
// times a year: deployments set their own in configuration.
func DefaultRiskPolicy() RiskPolicy {
	return RiskPolicy{
		HighRiskCountries: []string{"KP", "IR", "MM"},
		MonitoredCountries: []string{"DZ", "AO", "BO", "BG", "CM", "CI", "CD", "HT", "KE", "LA", "LB", "MC", "NA", "NP",
			"SS", "SY", "VE", "VN", "VG", "YE"},
		HighRiskBusinesses: []string{"money services", "virtual assets", "casino", "gambling", "precious metals",
			"arms", "shell company", "trust services"},
		HighRiskProducts: []string{"international_wire", "private_banking", "trade_finance", "correspondent_banking", "prepaid_card",
			"virtual_assets", "remote_deposit_capture", "cash_intensive"},
		HighRiskChannels: []string{"non_face_to_face", "intermediary", "third_party_payment_processor"},
		ReviewEvery: map[string]time.Duration{
			RiskHigh: 365 * 24 * time.Hour, RiskMedium: 2 * 365 * 24 * time.Hour, RiskLow: 3 * 365 * 24 * time.Hour,
		},
	}
}

// RiskFactor is one reason in a rating.
type RiskFactor struct {
	Factor string `json:"factor"`
	Points int    `json:"points"`
	Detail string `json:"detail"`
}

// Risk is a customer's rating with the factors that explain it.
type Risk struct {
	Rating     string       `json:"rating"`
	Score      int          `json:"score"`
	Factors    []RiskFactor `json:"factors"`
	NextReview string       `json:"next_review"` // YYYY-MM-DD
}

// RateRisk rates a customer from what Warden knows: screening hits (PEP lists
// and sanctions lists), country, business type, products and channels, and
// the ownership analysis if any. Points add up: 0-2 low, 3-5 medium, 6 or more high; a sanctions hit or
// a block by ownership is high on its own.
func RateRisk(c *Customer, own *OwnershipAnalysis, p RiskPolicy, now time.Time) Risk {
	var fs []RiskFactor
	add := func(f string, pts int, d string) { fs = append(fs, RiskFactor{Factor: f, Points: pts, Detail: d}) }
	if c.Screening != nil {
		for _, h := range c.Screening.Hits {
			switch {
			case sanctionsLists[h.List]:
				add("sanctions_proximity", 6, "possible match on "+h.List+" entry "+h.EntryID+" ("+h.EntryName+")")
			case strings.Contains(h.List, "pep"):
				add("pep", 4, "possible politically exposed person: "+h.List+" entry "+h.EntryID)
			}
		}
	}
	for _, cc := range []struct{ field, code string }{{"country", c.Country}, {"nationality", c.Nationality}} {
		switch {
		case cc.code == "":
		case slices.Contains(p.HighRiskCountries, cc.code):
			add("country_risk", 4, cc.field+" "+cc.code+" is a high-risk jurisdiction")
		case slices.Contains(p.MonitoredCountries, cc.code):
			add("country_risk", 2, cc.field+" "+cc.code+" is under increased monitoring")
		}
	}
	if c.BusinessType != "" {
		for _, b := range p.HighRiskBusinesses {
			if strings.Contains(strings.ToLower(c.BusinessType), b) {
				add("business_type", 3, "business type "+c.BusinessType+" is high risk")
				break
			}
		}
	}
	for _, pc := range []struct {
		factor string
		used   []string
		risky  []string
	}{{"products", c.Products, p.HighRiskProducts}, {"channels", c.Channels, p.HighRiskChannels}} {
		var hit []string
		for _, u := range pc.used {
			if slices.Contains(pc.risky, u) {
				hit = append(hit, u)
			}
		}
		if len(hit) > 0 {
			add(pc.factor, 2, "higher-risk "+pc.factor+": "+strings.Join(hit, ", "))
		}
	}
	if own != nil {
		if own.BlockedByOwnership {
			add("sanctions_proximity", 6, "blocked by ownership under OFAC's 50% rule")
		}
		if len(own.Findings) > 0 {
			add("ownership_opacity", 2, strings.Join(own.Findings, "; "))
		}
	}
	score := 0
	for _, f := range fs {
		score += f.Points
	}
	rating := RiskLow
	switch {
	case score >= 6:
		rating = RiskHigh
	case score >= 3:
		rating = RiskMedium
	}
	if fs == nil {
		fs = []RiskFactor{}
	}
	next := now.Add(p.ReviewEvery[rating]).Format(time.DateOnly)
	return Risk{Rating: rating, Score: score, Factors: fs, NextReview: next}
}

// Risk rates a customer with the service's policy, analysing its recorded
// ownership if it is a legal entity.
func (s *Service) Risk(ctx context.Context, c *Customer) (*Risk, error) {
	var own *OwnershipAnalysis
	if c.Type == TypeEntity && s.Owners != nil {
		o, err := s.Owners.CustomerOwners(ctx, c.ID)
		switch {
		case err == nil:
			if own, err = s.ownership(ctx, c, *o); err != nil {
				return nil, err
			}
		case warden.ErrorCode(err) != warden.ENOTFOUND:
			return nil, err
		}
	}
	p := s.RiskPolicy
	if p.ReviewEvery == nil {
		p = DefaultRiskPolicy()
	}
	r := RateRisk(c, own, p, s.now())
	return &r, nil
}
