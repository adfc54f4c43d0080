package screening_test

import (
	"testing"

	"github.com/wardenhq/warden/screening"
)

// BenchmarkSearch measures one screening against every shipped list.
func BenchmarkSearch(b *testing.B) {
	ix := loadRealIndex(b)
	queries := []string{"Banco Nacional de Cuba", "Mohammed Ali Hassan", "Emily Johnson", "ACME TRADING CO LTD", "Abdulhai Salek"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix.Search(screening.Query{Name: queries[i%len(queries)]}, 0.8, 10)
	}
}
