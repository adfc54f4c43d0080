package main

import (
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
)

func TestRiskPolicyFromConfig(t *testing.T) {
	c := config.Default()
	p := riskPolicy(c)
	if !slices.Contains(p.HighRiskCountries, "KP") || p.ReviewEvery[kyc.RiskHigh] != 365*24*time.Hour {
		t.Fatalf("defaults: %+v", p)
	}
	c.KYC.HighRiskCountries = []string{"GB"}
	c.KYC.ReviewHigh = config.Duration(180 * 24 * time.Hour)
	p = riskPolicy(c)
	if !slices.Equal(p.HighRiskCountries, []string{"GB"}) || p.ReviewEvery[kyc.RiskHigh] != 180*24*time.Hour || len(p.MonitoredCountries) == 0 {
		t.Fatalf("configured: %+v", p)
	}
	r := kyc.RateRisk(&kyc.Customer{CustomerData: kyc.CustomerData{Country: "GB"}}, nil, p, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if r.Rating != kyc.RiskMedium || r.NextReview != "2028-01-01" {
		t.Fatalf("rating with GB high-risk: %+v", r)
	}
}
