package tier

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/wardenhq/warden"
)

// valid is a two-tier profile; the invalid cases each change one thing.
const valid = `name: test
description: a test profile
tiers:
  - name: low
    requires: [phone]
    limits:
      KES:
        per_transaction: "100.00"
        per_day: "200.00"
        per_month: "1000.00"
        max_balance: "500.00"
  - name: high
    requires:
      - phone
      - any_of: [national_id, passport]
    limits:
      KES:
        per_transaction: "150000.00"
        per_day: 500000.00
        per_month: unlimited
        max_balance: "500000"
      JPY:
        per_transaction: "1000"
        per_day: "1000"
        per_month: "1000"
        max_balance: "0"
`

func TestLoadValid(t *testing.T) {
	p, err := Load(strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "test" || p.Description != "a test profile" || len(p.Tiers) != 2 {
		t.Fatalf("%+v", p)
	}
	if got, want := p.Tiers[1].Limits["KES"], (Limits{15000000, 50000000, Unlimited, 50000000}); got != want {
		t.Errorf("high KES = %+v, want %+v", got, want)
	}
	if got, want := p.Tiers[1].Limits["JPY"], (Limits{1000, 1000, 1000, 0}); got != want {
		t.Errorf("high JPY = %+v, want %+v", got, want)
	}
	if got := p.Tiers[1].Requires[1].String(); got != "national_id|passport" {
		t.Errorf("requirement = %q", got)
	}
}

func TestLoadInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, field string
	}{
		{"unknown top key", "name: test\n", "name: test\nversion: 2\n", "version"},
		{"unknown tier key", "  - name: low\n", "  - name: low\n    priority: 1\n", "tiers[0].priority"},
		{"unknown limit key", `        per_transaction: "100.00"`, "        per_week: \"1.00\"\n        per_transaction: \"100.00\"", "tiers[0].limits.KES.per_week"},
		{"duplicate key", "name: test\n", "name: test\nname: other\n", "name"},
		{"missing name", "name: test\n", "", "name"},
		{"bad profile name", "name: test\n", "name: Test Profile\n", "name"},
		{"no tiers", valid[strings.Index(valid, "tiers:"):], "tiers: []\n", "tiers"},
		{"tiers not a list", valid[strings.Index(valid, "tiers:"):], "tiers: {}\n", "tiers"},
		{"missing requires", "    requires: [phone]\n", "", "tiers[0].requires"},
		{"missing limits currency map", "      KES:\n        per_transaction: \"100.00\"\n        per_day: \"200.00\"\n        per_month: \"1000.00\"\n        max_balance: \"500.00\"\n", "      {}\n", "tiers[0].limits"},
		{"missing one limit", `        max_balance: "500.00"` + "\n", "", "tiers[0].limits.KES.max_balance"},
		{"duplicate tier", "  - name: high\n", "  - name: low\n", "tiers[1].name"},
		{"unknown kind", "requires: [phone]", "requires: [phone, selfie]", "tiers[0].requires[1]"},
		{"unknown kind in any_of", "any_of: [national_id, passport]", "any_of: [national_id, visa]", "tiers[1].requires[1].any_of[1]"},
		{"any_of of one", "any_of: [national_id, passport]", "any_of: [national_id]", "tiers[1].requires[1].any_of"},
		{"repeated kind", "requires: [phone]", "requires: [phone, phone]", "tiers[0].requires[1]"},
		{"unknown currency", "      KES:\n        per_transaction: \"100.00\"", "      KSH:\n        per_transaction: \"100.00\"", "tiers[0].limits.KSH"},
		{"lower-case currency", "      KES:\n        per_transaction: \"100.00\"", "      kes:\n        per_transaction: \"100.00\"", "tiers[0].limits.kes"},
		{"float exponent", `per_transaction: "100.00"`, "per_transaction: 1e2", "tiers[0].limits.KES.per_transaction"},
		{"too many decimals", `per_day: "200.00"`, `per_day: "200.001"`, "tiers[0].limits.KES.per_day"},
		{"decimals on JPY", `per_transaction: "1000"`, `per_transaction: "1000.0"`, "tiers[1].limits.JPY.per_transaction"},
		{"negative", `max_balance: "500.00"`, `max_balance: "-500.00"`, "tiers[0].limits.KES.max_balance"},
		{"null amount", `max_balance: "500.00"`, `max_balance: ~`, "tiers[0].limits.KES.max_balance"},
		{"empty amount", `max_balance: "500.00"`, `max_balance:`, "tiers[0].limits.KES.max_balance"},
		{"per transaction above per day", `per_transaction: "100.00"`, `per_transaction: "300.00"`, "tiers[0].limits.KES.per_transaction"},
		{"per day above per month", `per_month: "1000.00"`, `per_month: "150.00"`, "tiers[0].limits.KES.per_day"},
		{"higher tier lower limit", `per_transaction: "150000.00"`, `per_transaction: "99.99"`, "tiers[1].limits.KES.per_transaction"},
		{"higher tier limited where lower unlimited", `max_balance: "500.00"`, `max_balance: unlimited`, "tiers[1].limits.KES.max_balance"},
		{"higher tier drops currency", "      KES:\n        per_transaction: \"150000.00\"", "      EUR:\n        per_transaction: \"150000.00\"", "tiers[1].limits.KES"},
		{"higher tier drops requirement", "      - phone\n      - any_of", "      - liveness\n      - any_of", "tiers[1].requires"},
		{"higher tier widens requirement", "requires: [phone]", "requires: [national_id]", "tiers[1].requires"},
		{"alias", "    requires: [phone]\n", "    requires: &r [phone]\n", "tiers[0].requires"},
		{"tier not a mapping", "  - name: low\n    requires: [phone]\n", "  - low\n  - name: low\n    requires: [phone]\n", "tiers[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(valid, tc.old) {
				t.Fatalf("test bug: %q not in profile", tc.old)
			}
			in := strings.Replace(valid, tc.old, tc.new, 1)
			p, err := Load(strings.NewReader(in))
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if f := fieldOf(t, err); f != tc.field {
				t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
			}
		})
	}
}

func TestLoadInvalidDocument(t *testing.T) {
	for name, in := range map[string]string{
		"empty":        "",
		"comment only": "# nothing\n",
		"not yaml":     "name: [unclosed\n",
		"two docs":     valid + "---\nname: again\n",
		"scalar":       "just text\n",
		"too large":    valid + strings.Repeat("#", maxProfileSize),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(strings.NewReader(in))
			var e *warden.Error
			if !errors.As(err, &e) || e.Code != warden.EINVALID {
				t.Errorf("Load = %v", err)
			}
		})
	}
	if _, err := Load(iotest.ErrReader(errors.New("boom"))); err == nil || warden.ErrorCode(err) != warden.EINTERNAL {
		t.Errorf("read error = %v", err)
	}
}
