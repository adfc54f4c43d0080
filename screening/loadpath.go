package screening

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardenhq/warden"
)

// Formats LoadPath understands.
var Formats = []string{"ofac-sdn", "ofac-cons", "un", "eu", "uk", "blocklist", "pep"}

// DetectFormat guesses a list's format from its path and first bytes:
// OFAC sets are folders holding sdn.csv or cons_prim.csv; the UN and EU
// publish XML with distinctive roots; the UK's CSV has a "Group ID" column.
// Own lists (blocklist, pep) must be named.
func DetectFormat(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		for file, format := range map[string]string{"sdn.csv": "ofac-sdn", "cons_prim.csv": "ofac-cons"} {
			if _, err := os.Stat(filepath.Join(path, file)); err == nil {
				return format, nil
			}
		}
		return "", warden.FieldErrorf(warden.EINVALID, "path", "%s holds neither an OFAC SDN set (sdn.csv) nor a consolidated set (cons_prim.csv)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 8192)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.Contains(head, []byte("<CONSOLIDATED_LIST")):
		return "un", nil
	case bytes.Contains(head, []byte("sanctionEntity")) || bytes.Contains(head, []byte("<export")):
		return "eu", nil
	case bytes.Contains(head, []byte("Group ID")):
		return "uk", nil
	}
	return "", warden.FieldErrorf(warden.EINVALID, "format", "cannot tell the format of %s: name it (%s)", path, strings.Join(Formats, ", "))
}

// LoadPath parses the list at path in the given format ("" to detect it).
// A list that does not parse returns a *ParseError naming file and line.
func LoadPath(path, format string) (*Snapshot, error) {
	if format == "" {
		var err error
		if format, err = DetectFormat(path); err != nil {
			return nil, err
		}
	}
	switch format {
	case "ofac-sdn":
		return LoadOFACSDN(os.DirFS(path))
	case "ofac-cons":
		return LoadOFACConsolidated(os.DirFS(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name := filepath.Base(path)
	switch format {
	case "un":
		return LoadUN(f, name)
	case "eu":
		return LoadEU(f, name)
	case "uk":
		return LoadUK(f, name)
	case "blocklist", "pep":
		if strings.HasSuffix(strings.ToLower(name), ".json") {
			return LoadOwnJSON(f, name, OwnList(format))
		}
		return LoadOwnCSV(f, name, OwnList(format))
	}
	return nil, warden.FieldErrorf(warden.EINVALID, "format", "unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}
