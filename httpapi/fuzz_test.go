package httpapi

import (
	"context"
	"errors"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/screening"
)

// FuzzDecodeRequest drives the strict decoder with arbitrary bytes: it must
// never panic, and every failure must be an application error that maps to a
// 4xx status, never an internal error.
func FuzzDecodeRequest(f *testing.F) {
	for _, b := range badBodies {
		f.Add([]byte(b.body))
	}
	f.Add([]byte(`{"name":"core","role":"service","expires_in":"90d"}`))
	f.Add([]byte(`{"name":"\u0000","role":"admin"}`))
	f.Add([]byte(`{"name":"Banco Nacional de Cuba","date_of_birth":"1960","identifiers":[{"kind":"passport","number":"A123"}]}`))
	sc := screening.NewScreener()
	f.Fuzz(func(t *testing.T, body []byte) {
		// The screening request: decode, then validate as the handler does.
		var sreq screening.ScreenRequest
		if err := decodeBytes(body, &sreq); err == nil {
			_, err = sc.Screen(context.Background(), sreq)
			if err != nil && statusOf(warden.ErrorCode(err)) >= 500 {
				t.Fatalf("%q: screening answered %v", body, err)
			}
		} else if s := statusOf(warden.ErrorCode(err)); s < 400 || s > 499 {
			t.Fatalf("%q: screen decode status %d", body, s)
		}
		var req createKeyRequest
		err := decodeBytes(body, &req)
		if err == nil {
			if req.req.Role == "" || req.req.Name == "" {
				t.Fatalf("accepted %q without name or role", body)
			}
			return
		}
		var e *warden.Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: non-application error %v", body, err)
		}
		if s := statusOf(e.Code); s < 400 || s > 499 {
			t.Fatalf("%q: status %d for %v", body, s, err)
		}
	})
}
