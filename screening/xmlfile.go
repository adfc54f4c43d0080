package screening

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"time"
)

// xmlReader walks a list's XML with encoding/xml and knows the line of every
// element it hands out, so that a bad record is reported as file:line. The
// whole file is in memory anyway (it is hashed), so lines are counted from
// the decoder's byte offset instead of wrapping the input.
type xmlReader struct {
	file string
	data []byte
	dec  *xml.Decoder
	off  int64 // offset lines counts up to
	line int
}

func newXMLReader(file string, data []byte) *xmlReader {
	return &xmlReader{file: file, data: data, dec: xml.NewDecoder(bytes.NewReader(data)), line: 1}
}

// lineAt returns the 1-based line of a byte offset. Offsets only grow while
// decoding, so counting is incremental and the walk stays linear.
func (x *xmlReader) lineAt(off int64) int {
	if off < x.off || off > int64(len(x.data)) {
		x.off, x.line = 0, 1
		off = min(off, int64(len(x.data)))
	}
	x.line += bytes.Count(x.data[x.off:off], []byte{'\n'})
	x.off = off
	return x.line
}

// next returns the next start element and its line, or io.EOF at the end of
// the document. Syntax errors come back as *ParseError.
func (x *xmlReader) next() (xml.StartElement, int, error) {
	for {
		off := x.dec.InputOffset()
		tok, err := x.dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return xml.StartElement{}, 0, io.EOF
			}
			return xml.StartElement{}, 0, x.errorAt(off, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, x.lineAt(off), nil
		}
	}
}

// decode reads the element se (whose start is on line) into v.
func (x *xmlReader) decode(v any, se *xml.StartElement, line int) error {
	if err := x.dec.DecodeElement(v, se); err != nil {
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return wrapParseError(x.file, syn.Line, err, "malformed XML in <%s> starting at line %d", se.Name.Local, line)
		}
		return wrapParseError(x.file, line, err, "malformed <%s>", se.Name.Local)
	}
	return nil
}

func (x *xmlReader) errorAt(off int64, err error) error {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return wrapParseError(x.file, syn.Line, err, "malformed XML")
	}
	return wrapParseError(x.file, x.lineAt(off), err, "malformed XML")
}

// attr returns the value of the named attribute (local name), or "".
func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// xmlList describes one XML sanctions list format for loadXMLList.
type xmlList struct {
	source string
	// root is the document element; versionAttr its attribute holding the
	// list's RFC 3339 generation time, which is the version.
	root, versionAttr string
	// entries names the elements that are list entries, for errors.
	entries string
	// entry converts the element se (named name, at line) when it is an
	// entry; ok is false for any other element.
	entry func(x *xmlReader, se *xml.StartElement, name string, line int, b *builder) (e Entity, ok bool, err error)
}

// loadXMLList reads an XML list: the root element and its version, then
// every entry element, each converted by l.entry.
func loadXMLList(r io.Reader, file string, l xmlList) (*Snapshot, error) {
	data, err := readAllLimited(r, file)
	if err != nil {
		return nil, err
	}
	b := newBuilder(l.source)
	b.addFile(file, data)
	x := newXMLReader(file, data)
	var (
		version   string
		published time.Time
		entities  []Entity
		where     []entityLine
		sawRoot   bool
	)
	for {
		se, line, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		name := se.Name.Local
		if !sawRoot {
			if name != l.root {
				return nil, parseErrorf(file, line, "root element is <%s>, want <%s>", name, l.root)
			}
			sawRoot = true
			if version = strings.TrimSpace(attr(se, l.versionAttr)); version != "" {
				t, err := time.Parse(time.RFC3339, version)
				if err != nil {
					return nil, wrapParseError(file, line, err, "%s %q", l.versionAttr, version)
				}
				published = t.UTC()
			}
			continue
		}
		e, ok, err := l.entry(x, &se, name, line, b)
		if err != nil {
			return nil, err
		}
		if ok {
			entities = append(entities, e)
			where = append(where, entityLine{file: file, line: line})
		}
	}
	if !sawRoot {
		return nil, parseErrorf(file, 0, "no XML document")
	}
	if len(entities) == 0 {
		return nil, parseErrorf(file, 0, "list has no %s", l.entries)
	}
	return b.finish(entities, where, version, published)
}
