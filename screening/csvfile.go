package screening

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// maxListFile bounds one list file. The largest published list (the EU's
// full XML) is about 30 MB; anything far beyond is not a list.
const maxListFile = 256 << 20

// csvRecord is one CSV record and the line it starts on.
type csvRecord struct {
	line   int
	fields []string
}

// readAllLimited reads r up to maxListFile bytes.
func readAllLimited(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxListFile+1))
	if err != nil {
		return nil, &ParseError{File: name, Reason: "read: " + err.Error(), Err: err}
	}
	if len(data) > maxListFile {
		return nil, parseErrorf(name, 0, "file larger than %d MiB", maxListFile>>20)
	}
	return data, nil
}

// readFSFile reads a named file of a list set.
func readFSFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, &ParseError{File: name, Reason: "open: " + err.Error(), Err: err}
	}
	defer f.Close()
	return readAllLimited(f, name)
}

// cleanText prepares a list file for parsing: it drops a UTF-8 byte order
// mark and the DOS end-of-file byte (0x1A) OFAC still appends, and decodes
// text that is not valid UTF-8 as ISO 8859-1, the encoding older OFAC and
// OFSI files used (every byte is a valid ISO 8859-1 character, so nothing is
// lost).
func cleanText(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimRight(data, "\r\n\t ")
	if n := len(trimmed); n > 0 && trimmed[n-1] == 0x1a {
		data = trimmed[:n-1]
	}
	if utf8.Valid(data) {
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/8)
	for _, c := range data {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

// readCSV parses a whole CSV file. fields > 0 requires that many fields in
// every record; 0 takes the count from the first record. Any syntax error
// (an unterminated quote, a stray quote, a wrong field count) rejects the
// file with the line the bad record starts on.
func readCSV(name string, data []byte, fields int) ([]csvRecord, error) {
	r := csv.NewReader(bytes.NewReader(cleanText(data)))
	r.FieldsPerRecord = fields
	var out []csvRecord
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := r.FieldPos(0)
			return nil, &ParseError{File: name, Line: line, Err: err,
				Reason: fmt.Sprintf("wrong number of fields: got %d, want %d", len(rec), r.FieldsPerRecord)}
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := r.FieldPos(0)
		for i, f := range rec {
			if strings.ContainsRune(f, 0x1a) {
				return nil, parseErrorf(name, line, "field %d contains an end-of-file byte (0x1A) before the end of the file", i+1)
			}
		}
		out = append(out, csvRecord{line: line, fields: rec})
	}
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return wrapParseError(name, 0, err, "read csv")
	}
	reason := pe.Err.Error()
	if pe.Line != pe.StartLine {
		reason = fmt.Sprintf("%s (record starting here; error at line %d, column %d)", reason, pe.Line, pe.Column)
	} else {
		reason = fmt.Sprintf("%s (column %d)", reason, pe.Column)
	}
	return &ParseError{File: name, Line: pe.StartLine, Reason: reason, Err: err}
}

// ofacField returns a trimmed OFAC field, with "-0-" (OFAC's empty) as "".
func ofacField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}
