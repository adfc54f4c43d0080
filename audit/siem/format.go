package siem

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden/audit"
)

// Format is how one entry is written for a SIEM.
type Format string

const (
	// FormatJSON is the canonical entry object with a "leaf_hash" member
	// appended: {...canonical entry...,"leaf_hash":"<base64>"}.
	FormatJSON Format = "json"
	// FormatCEF is an ArcSight Common Event Format (CEF:0) line.
	FormatCEF Format = "cef"
)

// ParseFormat accepts "json" or "cef".
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSON, FormatCEF:
		return f, nil
	}
	return "", fmt.Errorf("unknown SIEM format %q: want json or cef", s)
}

// Record is one entry ready for a sink: Message is the entry in the export
// format (one line, no line terminator); the other fields are what a sink
// needs for its own framing (syslog header and structured data).
type Record struct {
	Index    int64
	Time     time.Time
	Action   string
	Severity int // CEF severity, 0-10; see Severity
	LeafHash tlog.Hash
	Message  []byte
}

// Encoder turns stored entries into records.
type Encoder struct {
	Format Format
	// Version is Warden's version, written in the CEF header ("dev" if empty).
	Version string
}

// Encode formats one stored entry. The leaf hash is the RFC 6962 hash of the
// stored canonical bytes, which is what the signed tree commits to.
func (enc Encoder) Encode(se audit.StoredEntry) (Record, error) {
	e, err := audit.ParseEntry(se.Data)
	if err != nil {
		return Record{}, fmt.Errorf("entry %d: %w", se.Index, err)
	}
	if e.Index != se.Index {
		return Record{}, fmt.Errorf("entry stored at index %d carries index %d", se.Index, e.Index)
	}
	r := Record{Index: se.Index, Time: e.Time.UTC(), Action: e.Action, Severity: Severity(e.Action), LeafHash: tlog.RecordHash(se.Data)}
	switch enc.Format {
	case FormatJSON:
		r.Message, err = encodeJSON(se.Data, r.LeafHash)
	case FormatCEF:
		r.Message = encodeCEF(e, r.LeafHash, enc.Version)
	default:
		err = fmt.Errorf("unknown SIEM format %q", enc.Format)
	}
	if err != nil {
		return Record{}, fmt.Errorf("entry %d: %w", se.Index, err)
	}
	return r, nil
}

// encodeJSON appends the leaf hash as the last member of the canonical
// object. Removing that member and canonicalizing again (RFC 8785) gives back
// the exact leaf bytes.
func encodeJSON(canonical []byte, leaf tlog.Hash) ([]byte, error) {
	data := bytes.TrimSpace(canonical)
	if len(data) < 2 || data[0] != '{' || data[len(data)-1] != '}' || bytes.IndexByte(data, '\n') >= 0 {
		return nil, fmt.Errorf("stored entry is not a canonical JSON object")
	}
	out := make([]byte, 0, len(data)+60)
	out = append(out, data[:len(data)-1]...)
	if len(data) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"leaf_hash":"`...)
	out = append(out, leaf.String()...)
	out = append(out, `"}`...)
	return out, nil
}

// Severity maps an action to a CEF severity (0-10): 7 for changes to the
// audit log itself (audit.*: legal holds, archives) and for revocations,
// deletions and blocks; 5 for credential and privilege changes (bootstrap,
// rotate, grant) and filings and decisions; 3 for everything else.
func Severity(action string) int {
	words := strings.FieldsFunc(action, func(r rune) bool { return r == '.' || r == '_' })
	if len(words) > 0 && words[0] == "audit" {
		return 7
	}
	for _, w := range words {
		switch w {
		case "revoke", "delete", "purge", "prune", "hold", "disable", "block", "freeze", "suspend", "restore", "override":
			return 7
		}
	}
	for _, w := range words {
		switch w {
		case "bootstrap", "rotate", "grant", "escalate", "approve", "reject", "file":
			return 5
		}
	}
	return 3
}

// syslogSeverity maps a CEF severity to an RFC 5424 severity.
func syslogSeverity(cef int) int {
	switch {
	case cef >= 9:
		return 2 // critical
	case cef >= 7:
		return 4 // warning
	case cef >= 4:
		return 5 // notice
	default:
		return 6 // informational
	}
}

// encodeCEF writes
//
//	CEF:0|Warden|Warden|<version>|<action>|<action>|<severity>|<extensions>
func encodeCEF(e *audit.Entry, leaf tlog.Hash, version string) []byte {
	if version == "" {
		version = "dev"
	}
	var b bytes.Buffer
	b.WriteString("CEF:0|Warden|Warden|")
	for _, f := range []string{version, e.Action, e.Action, strconv.Itoa(Severity(e.Action))} {
		b.WriteString(cefHeaderEscape(f))
		b.WriteByte('|')
	}
	first := true
	ext := func(key, value string) {
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(cefValueEscape(value))
	}
	ext("rt", strconv.FormatInt(e.Time.UnixMilli(), 10))
	ext("act", e.Action)
	ext("suser", e.Actor.ID)
	ext("cs5Label", "actorKind")
	ext("cs5", e.Actor.Kind)
	ext("externalId", strconv.FormatInt(e.Index, 10))
	ext("cs1Label", "subjectType")
	ext("cs1", e.Subject.Type)
	ext("cs2Label", "subjectId")
	ext("cs2", e.Subject.ID)
	if e.RequestID != "" {
		ext("cs3Label", "requestId")
		ext("cs3", e.RequestID)
	}
	ext("cs4Label", "leafHash")
	ext("cs4", leaf.String())
	switch {
	case len(e.Change) > 0:
		ext("cs6Label", "change")
		ext("cs6", string(e.Change))
	case e.ChangeSHA256 != "":
		ext("cs6Label", "changeSha256")
		ext("cs6", e.ChangeSHA256)
	}
	return b.Bytes()
}

// cefHeaderEscape escapes a CEF header field: backslash and pipe are
// escaped; a header cannot carry line breaks, so they become spaces.
func cefHeaderEscape(s string) string {
	if !strings.ContainsAny(s, "\\|\r\n") {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '|':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\r', '\n':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// cefValueEscape escapes a CEF extension value: backslash and equals sign
// are escaped, and line breaks are written as \n and \r.
func cefValueEscape(s string) string {
	if !strings.ContainsAny(s, "\\=\r\n") {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '=':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
