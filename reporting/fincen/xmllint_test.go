package fincen

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// validate writes doc to a temp file and runs xmllint --schema against the
// XSD copied into testdata, failing the test unless the document is valid.
func validate(t *testing.T, xsd string, doc []byte) {
	t.Helper()
	if out, err := xmllint(t, xsd, doc); err != nil {
		t.Fatalf("xmllint rejected the document: %v\n%s\n--- document ---\n%s", err, out, doc)
	}
}

// xmllint returns xmllint's output and its error (non-nil when the schema
// rejects the document).
func xmllint(t *testing.T, xsd string, doc []byte) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		// scripts/test.sh installs libxml2-utils: a missing validator fails,
		// it never passes or skips silently.
		t.Fatalf("xmllint is required (Debian libxml2-utils): %v", err)
	}
	f := filepath.Join(t.TempDir(), "batch.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--schema", filepath.Join("testdata", xsd), f).CombinedOutput()
	return string(out), err
}

func regexpRemove(doc []byte, pattern string) []byte {
	return regexp.MustCompile(pattern).ReplaceAll(doc, nil)
}
