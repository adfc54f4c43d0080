package audit

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

func decoderIndex(b []byte) (int64, bool) {
	var inner struct {
		Index *int64 `json:"index"`
	}
	if err := json.Unmarshal(b, &inner); err != nil || inner.Index == nil {
		return 0, false
	}
	return *inner.Index, true
}

func TestEntryIndexMatchesDecoder(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	keys := []string{`"index"`, `"Index"`, `"INDEX"`, `"ind\u0065x"`, `"a"`, `"b\"index"`, `"index "`, `"x\\"`}
	vals := []string{`1`, `-3`, `12345678901`, `1.5`, `1e3`, `"7"`, `null`, `true`, `{"index":9}`, `[1,{"index":4}]`, `"a\"b,{"`, `9223372036854775808`, `-0`, `0`}
	for i := 0; i < 300000; i++ {
		var b []byte
		b = append(b, '{')
		n := rnd.IntN(5)
		for j := 0; j < n; j++ {
			if j > 0 {
				b = append(b, ',')
			}
			if rnd.IntN(4) == 0 {
				b = append(b, ' ', '\n')
			}
			b = append(b, keys[rnd.IntN(len(keys))]...)
			if rnd.IntN(4) == 0 {
				b = append(b, ' ')
			}
			b = append(b, ':')
			if rnd.IntN(4) == 0 {
				b = append(b, ' ', '\t')
			}
			b = append(b, vals[rnd.IntN(len(vals))]...)
		}
		b = append(b, '}')
		if !json.Valid(b) {
			continue
		}
		gi, gok := entryIndex(b)
		wi, wok := decoderIndex(b)
		if gi != wi || gok != wok {
			t.Fatalf("%s: got %d %v, want %d %v", b, gi, gok, wi, wok)
		}
	}
}
