package audit

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
)

func TestCanonicalEqualsRFC8785Transform(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 9))
	alphabet := []string{"a", "Z", "\"", "\\", "\n", "\t", "\b", "\f", "\r", "\x00", "\x1f", "\x7f", "<", ">", "&", "\u2028", "\u2029", "é", "Ω", "😀", "\xff", "\xc3", "\xe2\x82", "\ufffd", "/", " ", "{", "}"}
	str := func() string {
		var b []byte
		for range rnd.IntN(12) {
			b = append(b, alphabet[rnd.IntN(len(alphabet))]...)
		}
		return string(b)
	}
	for i := range 50000 {
		e := Entry{Index: rnd.Int64N(1 << 50), Time: time.Unix(rnd.Int64N(4e9), rnd.Int64N(1e9)).In(time.FixedZone("x", 3600*rnd.IntN(5))),
			Actor: Actor{Kind: str(), ID: str()}, Action: str(), Subject: Subject{Type: str(), ID: str()}}
		if rnd.IntN(2) == 0 {
			e.RequestID = str()
		}
		switch rnd.IntN(3) {
		case 0:
			m := map[string]any{"k" + str(): str(), "n": rnd.Float64() * 1e6, "i": rnd.IntN(1 << 40), "z": []any{str(), nil, true, 1.5e-7}, "o": map[string]any{"p" + str(): 1}}
			raw, _ := json.Marshal(m)
			e.Change = raw
		case 1:
			e.ChangeSHA256 = "ab" + str()
		}
		a := e
		a.Time = a.Time.UTC().Truncate(time.Microsecond)
		raw, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jsoncanonicalizer.Transform(raw)
		if err != nil {
			t.Fatal(err)
		}
		b := e
		got, err := b.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d:\n got %q\nwant %q", i, got, want)
		}
	}
}
