package tier

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
)

func mustBuiltin(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuiltinProfiles(t *testing.T) {
	if got := BuiltinNames(); !reflect.DeepEqual(got, []string{"ke-mobile-money", "us-bank"}) {
		t.Fatalf("BuiltinNames = %v", got)
	}
	for _, name := range BuiltinNames() {
		p := mustBuiltin(t, name)
		if p.Name != name || len(p.Tiers) < 2 || p.Description == "" {
			t.Errorf("%s: %+v", name, p)
		}
	}
	_, err := Builtin("nope")
	var e *warden.Error
	if !errors.As(err, &e) || e.Code != warden.ENOTFOUND {
		t.Errorf("Builtin(nope) = %v", err)
	}
	if _, err := Builtin("../tier"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Errorf("Builtin(../tier) = %v", err)
	}
}

func TestKenyaFullLimits(t *testing.T) {
	p := mustBuiltin(t, "ke-mobile-money")
	full := p.Tier("full")
	if full == nil || p.Tiers[len(p.Tiers)-1].Name != "full" {
		t.Fatalf("no top tier full: %+v", p.Tiers)
	}
	want := Limits{PerTransaction: 15000000, PerDay: 50000000, PerMonth: Unlimited, MaxBalance: 50000000}
	if got := full.Limits["KES"]; got != want {
		t.Errorf("full KES limits = %+v, want %+v", got, want)
	}
	if len(full.Limits) != 1 {
		t.Errorf("full allows %v", full.Limits)
	}
	min := p.Tiers[0].Limits["KES"]
	if min.PerTransaction >= want.PerTransaction || min.PerDay >= want.PerDay || min.MaxBalance >= want.MaxBalance {
		t.Errorf("lower tier not lower: %+v", min)
	}
}

func TestUSBank(t *testing.T) {
	p := mustBuiltin(t, "us-bank")
	if p.Tiers[0].Name != "basic" || p.Tiers[1].Name != "full" {
		t.Fatalf("tiers %+v", p.Tiers)
	}
	if _, ok := p.Tiers[0].Limits["USD"]; !ok {
		t.Error("basic has no USD limits")
	}
	if got := p.Tiers[1].Limits["USD"].MaxBalance; got != Unlimited {
		t.Errorf("full max balance = %d", got)
	}
}

func missingStrings(rs []Requirement) []string {
	var s []string
	for _, r := range rs {
		s = append(s, r.String())
	}
	return s
}

func TestCompute(t *testing.T) {
	ke, us := mustBuiltin(t, "ke-mobile-money"), mustBuiltin(t, "us-bank")
	for _, tc := range []struct {
		name     string
		p        *Profile
		verified []DocumentKind
		tier     string
		index    int
		next     string
		missing  []string
	}{
		{"ke nothing", ke, nil, "", -1, "minimal", []string{"phone"}},
		{"ke id without phone", ke, []DocumentKind{NationalID}, "", -1, "minimal", []string{"phone"}},
		{"ke phone", ke, []DocumentKind{Phone}, "minimal", 0, "full", []string{"national_id|passport|alien_id"}},
		{"ke phone and unrelated docs", ke, []DocumentKind{Phone, SSN, ProofOfAddress, "unknown"}, "minimal", 0, "full", []string{"national_id|passport|alien_id"}},
		{"ke national id", ke, []DocumentKind{NationalID, Phone}, "full", 1, "", nil},
		{"ke passport", ke, []DocumentKind{Phone, Passport}, "full", 1, "", nil},
		{"ke alien id and duplicates", ke, []DocumentKind{Phone, Phone, AlienID, AlienID}, "full", 1, "", nil},
		{"us nothing", us, []DocumentKind{}, "", -1, "basic", []string{"ssn|itin"}},
		{"us ssn", us, []DocumentKind{SSN}, "basic", 0, "full", []string{"drivers_license|passport|national_id|alien_id", "proof_of_address"}},
		{"us itin and licence", us, []DocumentKind{ITIN, DriversLicense}, "basic", 0, "full", []string{"proof_of_address"}},
		{"us full", us, []DocumentKind{ProofOfAddress, Passport, SSN}, "full", 1, "", nil},
		{"us id and address without tin", us, []DocumentKind{ProofOfAddress, Passport}, "", -1, "basic", []string{"ssn|itin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl := Compute(tc.p, tc.verified)
			if pl.Tier != tc.tier || pl.Index != tc.index || pl.Next != tc.next || !reflect.DeepEqual(missingStrings(pl.Missing), tc.missing) {
				t.Errorf("Compute = %+v (missing %v), want tier %q index %d next %q missing %v",
					pl, missingStrings(pl.Missing), tc.tier, tc.index, tc.next, tc.missing)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	full := mustBuiltin(t, "ke-mobile-money").Tier("full") // 150,000 / 500,000 / unlimited / 500,000
	zero := &Tier{Name: "zero", Limits: map[string]Limits{"KES": {PerTransaction: 0, PerDay: 0, PerMonth: 0, MaxBalance: 0}}}
	type b = Breach
	for _, tc := range []struct {
		name string
		t    *Tier
		cur  string
		a    Activity
		want []Breach
	}{
		{"per transaction exactly", full, "KES", Activity{Amount: 15000000}, nil},
		{"per transaction one over", full, "KES", Activity{Amount: 15000001}, []b{{LimitPerTransaction, 15000000, 15000001}}},
		{"per day exactly", full, "KES", Activity{Amount: 10000000, DayTotal: 40000000}, nil},
		{"per day one over", full, "KES", Activity{Amount: 10000000, DayTotal: 40000001}, []b{{LimitPerDay, 50000000, 50000001}}},
		{"day already over", full, "KES", Activity{Amount: 1, DayTotal: 60000000}, []b{{LimitPerDay, 50000000, 60000001}}},
		{"month unlimited", full, "KES", Activity{Amount: 1, MonthTotal: 1 << 62}, nil},
		{"balance exactly on credit", full, "KES", Activity{Amount: 100, Balance: 50000000, Credit: true}, nil},
		{"balance one over on credit", full, "KES", Activity{Amount: 100, Balance: 50000001, Credit: true}, []b{{LimitMaxBalance, 50000000, 50000001}}},
		{"balance over on debit ignored", full, "KES", Activity{Amount: 100, Balance: 90000000}, nil},
		{"several", full, "KES", Activity{Amount: 20000000, DayTotal: 40000000, Balance: 60000000, Credit: true},
			[]b{{LimitPerTransaction, 15000000, 20000000}, {LimitPerDay, 50000000, 60000000}, {LimitMaxBalance, 50000000, 60000000}}},
		{"overflow saturates", full, "KES", Activity{Amount: 1, DayTotal: 1<<63 - 1}, []b{{LimitPerDay, 50000000, 1<<63 - 1}}},
		{"currency not allowed", full, "USD", Activity{Amount: 1}, []b{{LimitCurrency, 0, 0}}},
		{"zero allows nothing", zero, "KES", Activity{Amount: 1, Balance: 1, Credit: true},
			[]b{{LimitPerTransaction, 0, 1}, {LimitPerDay, 0, 1}, {LimitPerMonth, 0, 1}, {LimitMaxBalance, 0, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(tc.t, tc.cur, tc.a)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Check = %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, a := range []Activity{{Amount: 0}, {Amount: -1}, {Amount: 1, DayTotal: -1}, {Amount: 1, MonthTotal: -1}, {Amount: 1, Balance: -1}} {
		if _, err := Check(full, "KES", a); err == nil || strings.TrimSpace(fieldOf(t, err)) == "" {
			t.Errorf("Check(%+v) = %v", a, err)
		}
	}
}
