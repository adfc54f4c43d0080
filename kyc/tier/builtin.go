package tier

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/wardenhq/warden"
)

// The profiles shipped in the binary, one file per profile, named after it.
//
//go:embed profiles/*.yaml
var builtinFS embed.FS

// Builtin returns the embedded profile called name ("ke-mobile-money",
// "us-bank"), freshly loaded so that callers may modify it. An unknown name
// is a *warden.Error (ENOTFOUND).
func Builtin(name string) (*Profile, error) {
	if !nameRE.MatchString(name) {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "profile", "no built-in KYC tier profile %q", name)
	}
	data, err := builtinFS.ReadFile("profiles/" + name + ".yaml")
	if err != nil {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "profile", "no built-in KYC tier profile %q (have %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	p, err := Load(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("tier: built-in profile %s: %w", name, err)
	}
	if p.Name != name {
		return nil, fmt.Errorf("tier: built-in profile file %s.yaml is named %q", name, p.Name)
	}
	return p, nil
}

// BuiltinNames lists the embedded profiles, sorted.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtinFS, "profiles")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
