package document

import (
	"testing"
	"time"
)

func TestValidateProofOfAddress(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	d := 24 * time.Hour
	for _, tc := range []struct {
		name   string
		issued time.Time
		maxAge time.Duration
		ok     bool
	}{
		{"today", now.Add(-time.Hour), 0, true},
		{"now", now, 0, true},
		{"89 days default", now.Add(-89 * d), 0, true},
		{"exactly 90 days default", now.Add(-90 * d), 0, true},
		{"90 days and a second default", now.Add(-90*d - time.Second), 0, false},
		{"one year default", now.AddDate(-1, 0, 0), 0, false},
		{"negative max age means default", now.Add(-91 * d), -d, false},
		{"configured 30 days accepts 30", now.Add(-30 * d), 30 * d, true},
		{"configured 30 days rejects 31", now.Add(-31 * d), 30 * d, false},
		{"configured 180 days accepts 120", now.Add(-120 * d), 180 * d, true},
		{"future", now.Add(time.Minute), 0, false},
		{"far future", now.AddDate(1, 0, 0), 0, false},
		{"zero", time.Time{}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateProofOfAddress(tc.issued, now, tc.maxAge)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if f := fieldOf(t, err); f != "proof_of_address.issued" {
				t.Errorf("field = %q", f)
			}
		})
	}
}
