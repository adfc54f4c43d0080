package compliance

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
)

//go:embed report.html.tmpl
var reportHTML string

// page is parsed once; html/template escapes every value.
var page = template.Must(template.New("report").Parse(reportHTML))

// HTML renders the report as one self-contained page: inline styles, no
// scripts, fonts or images to fetch, so an examiner can open it offline.
func HTML(r *Report) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return b.Bytes(), nil
}
