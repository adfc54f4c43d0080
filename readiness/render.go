package readiness

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/wardenhq/warden"
)

// Formats are the report formats Render writes.
var Formats = []string{"table", "json", "sarif", "junit", "html", "markdown"}

// Render writes the report in a format.
func Render(w io.Writer, r *Report, c *Catalogue, format string) error {
	switch format {
	case "table", "":
		return renderTable(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "sarif":
		return renderSARIF(w, r, c)
	case "junit":
		return renderJUnit(w, r)
	case "html":
		return renderHTML(w, r)
	case "markdown", "md":
		return renderMarkdown(w, r)
	}
	return warden.FieldErrorf(warden.EINVALID, "format", "unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}

func renderTable(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "Readiness of %s: %s overall (%d of %d items assessed)\n\n", orDash(r.Name), r.Overall, r.Overall.Assessed, r.Overall.Total)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PHASE\tSCORE\tPASS\tWARN\tFAIL\tERROR\tNOT CONFIGURED")
	for _, p := range r.Phases {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", p.Title, p.Score, p.Pass, p.Warn, p.Fail, p.Error, p.Skipped)
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t")
	fmt.Fprintln(tw, "FRAMEWORK\tSCORE\tPASS\tWARN\tFAIL\tERROR\tNOT CONFIGURED")
	for _, f := range r.Frameworks {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", f.Framework, f.Score, f.Pass, f.Warn, f.Fail, f.Error, f.Skipped)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Trend) > 0 {
		fmt.Fprintf(w, "\nTrend (oldest first): %s\n", trendLine(r))
	}
	fmt.Fprintln(w, "\nITEM\tSTATUS\tSEVERITY\tTITLE / EVIDENCE")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, it := range r.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.ID, strings.ToUpper(string(it.Status)), it.Severity, it.Title)
		if it.Status != StatusPass && it.Status != StatusSkipped {
			fmt.Fprintf(tw, "\t\t\t  %s\n", truncate(it.Evidence, 160))
		}
	}
	return tw.Flush()
}

func trendLine(r *Report) string {
	var parts []string
	for _, p := range slices.Backward(r.Trend) {
		parts = append(parts, fmt.Sprintf("%s %.1f%%", p.At.Format("2006-01-02"), p.Overall))
	}
	parts = append(parts, fmt.Sprintf("now %.1f%%", r.Overall.Percent))
	return strings.Join(parts, " → ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// SARIF 2.1.0: one rule per check, one result per non-passing check result.
// Code-scanning dashboards show these like linter findings.
func renderSARIF(w io.Writer, r *Report, c *Catalogue) error {
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string         `json:"id"`
		Name             string         `json:"name"`
		ShortDescription msg            `json:"shortDescription"`
		Help             msg            `json:"help"`
		Properties       map[string]any `json:"properties"`
		DefaultConfig    map[string]any `json:"defaultConfiguration"`
	}
	type result struct {
		RuleID     string           `json:"ruleId"`
		Level      string           `json:"level"`
		Kind       string           `json:"kind"`
		Message    msg              `json:"message"`
		Locations  []map[string]any `json:"locations"`
		Properties map[string]any   `json:"properties"`
	}
	var rules []rule
	for _, ch := range c.Checks {
		rules = append(rules, rule{ID: ch.ID, Name: ch.Title, ShortDescription: msg{ch.Title}, Help: msg{ch.Remediation},
			Properties:    map[string]any{"phase": ch.Phase, "severity": ch.Severity, "tags": []string{"readiness", ch.Phase}},
			DefaultConfig: map[string]any{"level": sarifLevel(ch.Severity, StatusFail)}})
	}
	results := []result{}
	for _, res := range r.Results {
		if res.Status == StatusPass || res.Status == StatusSkipped {
			continue
		}
		results = append(results, result{RuleID: res.CheckID, Level: sarifLevel(res.Severity, res.Status), Kind: "fail",
			Message: msg{fmt.Sprintf("%s: %s (%s)", res.Target, res.Evidence, res.Status)},
			Locations: []map[string]any{{"logicalLocations": []map[string]string{{"name": res.Target, "kind": res.Kind,
				"fullyQualifiedName": res.Kind + "/" + res.Target}}}},
			Properties: map[string]any{"status": res.Status, "target": res.Target, "remediation": res.Remediation}})
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []map[string]any{{
			"tool":       map[string]any{"driver": map[string]any{"name": "warden-readiness", "informationUri": "https://github.com/wardenhq/warden", "rules": rules}},
			"results":    results,
			"properties": map[string]any{"overall": r.Overall, "frameworks": r.Frameworks, "name": r.Name},
			"invocations": []map[string]any{{"executionSuccessful": true,
				"startTimeUtc": r.StartedAt.UTC(), "endTimeUtc": r.FinishedAt.UTC()}},
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func sarifLevel(sev Severity, st Status) string {
	if st == StatusWarn {
		return "warning"
	}
	switch sev {
	case SeverityCritical, SeverityHigh:
		return "error"
	case SeverityMedium:
		return "warning"
	}
	return "note"
}

// JUnit XML: one test suite per phase, one test case per checklist item, so
// that CI systems chart the checklist like a test run.
func renderJUnit(w io.Writer, r *Report) error {
	type detail struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Body    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string  `xml:"name,attr"`
		Classname string  `xml:"classname,attr"`
		Failure   *detail `xml:"failure,omitempty"`
		Error     *detail `xml:"error,omitempty"`
		Skipped   *detail `xml:"skipped,omitempty"`
		SystemOut string  `xml:"system-out,omitempty"`
	}
	type suite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Errors   int        `xml:"errors,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Name     string   `xml:"name,attr"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Suites   []suite  `xml:"testsuite"`
	}
	doc := suites{Name: "warden readiness " + r.Name}
	for _, p := range r.Phases {
		s := suite{Name: p.Title}
		for _, it := range r.Items {
			if it.Phase != p.Phase {
				continue
			}
			tc := testcase{Name: it.ID + " " + it.Title, Classname: "readiness." + it.Phase, SystemOut: it.Evidence}
			d := &detail{Message: truncate(it.Evidence, 300), Type: string(it.Severity), Body: it.Evidence + "\nRemediation: " + it.Remediation}
			switch it.Status {
			case StatusFail:
				tc.Failure = d
				s.Failures++
			case StatusWarn:
				// A warning passes in CI but shows why in the output.
				tc.SystemOut = "WARN: " + it.Evidence
			case StatusError:
				tc.Error = d
				s.Errors++
			case StatusSkipped:
				tc.Skipped = &detail{Message: "not configured"}
				s.Skipped++
			}
			s.Cases = append(s.Cases, tc)
			s.Tests++
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func renderMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Production readiness: %s\n\n", orDash(r.Name))
	fmt.Fprintf(&b, "Scanned %s. **Overall %s** (%d of %d items assessed).\n\n", r.FinishedAt.UTC().Format("2006-01-02 15:04 MST"), r.Overall, r.Overall.Assessed, r.Overall.Total)
	if len(r.Trend) > 0 {
		fmt.Fprintf(&b, "Trend: %s\n\n", trendLine(r))
	}
	b.WriteString("| Phase | Score | Pass | Warn | Fail | Error | Not configured |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range r.Phases {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d |\n", p.Title, p.Score, p.Pass, p.Warn, p.Fail, p.Error, p.Skipped)
	}
	b.WriteString("\n| Framework | Score | Pass | Warn | Fail | Error | Not configured |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range r.Frameworks {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d |\n", f.Framework, f.Score, f.Pass, f.Warn, f.Fail, f.Error, f.Skipped)
	}
	b.WriteString("\n## Items\n\n| Item | Status | Severity | Title | Evidence |\n|---|---|---|---|---|\n")
	for _, it := range r.Items {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", it.ID, it.Status, it.Severity, mdEscape(it.Title), mdEscape(truncate(it.Evidence, 300)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;").Replace(s)
}
