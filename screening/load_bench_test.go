package screening

import (
	"os"
	"path/filepath"
	"testing"
)

// go test -run '^$' -bench Load -benchmem ./screening prints the load time
// of each real list.

func BenchmarkLoadOFACSDN(b *testing.B) {
	fsys := realFS(b, "ofac-sdn-2021")
	for b.Loop() {
		if _, err := LoadOFACSDN(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadOFACConsolidated(b *testing.B) {
	fsys := realFS(b, "ofac-cons")
	for b.Loop() {
		if _, err := LoadOFACConsolidated(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadUN(b *testing.B) {
	path := filepath.Join(realListsDir(b), "un", "un_consolidated.xml")
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		_, err = LoadUN(f, "un_consolidated.xml")
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiffOFACSDN(b *testing.B) {
	s := loadRealSDN(b)
	for b.Loop() {
		Diff(s, s)
	}
}
