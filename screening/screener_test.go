package screening_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/screening"
)

func TestScreenerValidatesFieldByField(t *testing.T) {
	s := screening.NewScreener()
	bad := func(v float64) *float64 { return &v }
	cases := []struct {
		req   screening.ScreenRequest
		field string
	}{
		{screening.ScreenRequest{}, "name"},
		{screening.ScreenRequest{Name: "  "}, "name"},
		{screening.ScreenRequest{Name: "!!!"}, "name"},
		{screening.ScreenRequest{Name: "x", Type: "person"}, "type"},
		{screening.ScreenRequest{Name: "x", DateOfBirth: "1960-13"}, "date_of_birth"},
		{screening.ScreenRequest{Name: "x", DateOfBirth: "01/02/1960"}, "date_of_birth"},
		{screening.ScreenRequest{Name: "x", DateOfBirth: "2999"}, "date_of_birth"},
		{screening.ScreenRequest{Name: "x", Country: "XX"}, "country"},
		{screening.ScreenRequest{Name: "x", Country: "Kenya"}, "country"},
		{screening.ScreenRequest{Name: "x", Lists: []string{"nope"}}, "lists"},
		{screening.ScreenRequest{Name: "x", Threshold: bad(0.2)}, "threshold"},
		{screening.ScreenRequest{Name: "x", Threshold: bad(1.5)}, "threshold"},
		{screening.ScreenRequest{Name: "x", Identifiers: []screening.IdentifierInput{{Number: "1"}}}, "identifiers"},
	}
	for _, c := range cases {
		_, err := s.Screen(context.Background(), c.req)
		var e *warden.Error
		if !errors.As(err, &e) || e.Code != warden.EINVALID || e.Field != c.field {
			t.Errorf("%+v: %v, want invalid %s", c.req, err, c.field)
		}
	}
}

func TestScreenerAttributesAndVersions(t *testing.T) {
	snaps := realSnapshots(t)
	s := screening.NewScreener(snaps...)
	if len(s.Lists()) != 3 {
		t.Fatalf("versions %+v", s.Lists())
	}
	// Kim Jong Un (SDN 20157) has a DOB of 08 Jan 1984 on the list.
	res, err := s.Screen(context.Background(), screening.ScreenRequest{Name: "Kim Jong Un", DateOfBirth: "1984-01-08", Country: "KP", Type: "individual"})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("%+v %v", res, err)
	}
	top := res.Hits[0]
	if top.EntryID != "20157" || len(res.ListVersions) != 3 {
		t.Fatalf("top %+v", top)
	}
	agreed := map[string]bool{}
	for _, a := range top.Explanation.Attributes {
		agreed[a.Attribute] = a.Result == "agree"
	}
	if !agreed["date_of_birth"] || !agreed["country"] {
		t.Fatalf("attributes %+v", top.Explanation.Attributes)
	}
	// A conflicting date of birth lowers the score and says so.
	other, _ := s.Screen(context.Background(), screening.ScreenRequest{Name: "Kim Jong Un", DateOfBirth: "1950", Threshold: ptr(0.5)})
	for _, h := range other.Hits {
		if h.EntryID == "20157" && h.Score >= top.Score {
			t.Fatalf("conflicting DOB scored %.3f >= %.3f", h.Score, top.Score)
		}
	}
	// Only the requested list.
	un, _ := s.Screen(context.Background(), screening.ScreenRequest{Name: "Kim Jong Un", Lists: []string{"un"}, Threshold: ptr(0.5)})
	for _, h := range un.Hits {
		if h.List != "un" {
			t.Fatalf("hit from %s when only un was asked", h.List)
		}
	}
}

func ptr(f float64) *float64 { return &f }

func TestPerListThresholds(t *testing.T) {
	s := screening.NewScreener(realSnapshots(t)...)
	req := screening.ScreenRequest{Name: "Banco Nacionall de Cuba"}
	base, err := s.Screen(context.Background(), req)
	if err != nil || len(base.Hits) == 0 || base.Hits[0].List != "ofac-sdn" || base.Hits[0].Score >= 1 {
		t.Fatalf("%+v %v", base, err)
	}
	// A stricter threshold for the SDN list alone hides its inexact hit.
	s.ListThresholds = map[string]float64{"ofac-sdn": 1}
	res, _ := s.Screen(context.Background(), req)
	for _, h := range res.Hits {
		if h.List == "ofac-sdn" {
			t.Fatalf("SDN hit %.3f reported above a per-list threshold of 1", h.Score)
		}
	}
	// A request's own threshold wins over the per-list ones.
	res, _ = s.Screen(context.Background(), screening.ScreenRequest{Name: req.Name, Threshold: ptr(0.8)})
	if len(res.Hits) == 0 || res.Hits[0].List != "ofac-sdn" {
		t.Fatalf("request threshold: %+v", res.Hits)
	}
}
