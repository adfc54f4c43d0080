package readiness

import (
	"html/template"
	"io"
)

// The HTML report is one self-contained page (no scripts, no external
// assets) so that it can be attached to an examination file as is.
var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{"trend": trendLine}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Production readiness: {{.Name}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.pass{background:#e6f4ea}.warn{background:#fff4d6}.fail{background:#fde2e1}.error{background:#f3e0f7}.skipped{color:#888}
.score{font-size:2em;font-weight:bold}
</style></head><body>
<h1>Production readiness: {{.Name}}</h1>
<p>Scanned {{.FinishedAt.UTC.Format "2006-01-02 15:04 MST"}}. <span class="score">{{.Overall}}</span> overall ({{.Overall.Assessed}} of {{.Overall.Total}} items assessed).</p>
{{if .Trend}}<p>Trend: {{trend .}}</p>{{end}}
<h2>Phases</h2>
<table><tr><th>Phase</th><th>Score</th><th>Pass</th><th>Warn</th><th>Fail</th><th>Error</th><th>Not configured</th></tr>
{{range .Phases}}<tr><td>{{.Title}}</td><td>{{.Score}}</td><td>{{.Pass}}</td><td>{{.Warn}}</td><td>{{.Fail}}</td><td>{{.Error}}</td><td>{{.Skipped}}</td></tr>
{{end}}</table>
<h2>Frameworks</h2>
<table><tr><th>Framework</th><th>Score</th><th>Pass</th><th>Warn</th><th>Fail</th><th>Error</th><th>Not configured</th></tr>
{{range .Frameworks}}<tr><td>{{.Framework}}</td><td>{{.Score}}</td><td>{{.Pass}}</td><td>{{.Warn}}</td><td>{{.Fail}}</td><td>{{.Error}}</td><td>{{.Skipped}}</td></tr>
{{end}}</table>
<h2>Checklist</h2>
<table><tr><th>Item</th><th>Status</th><th>Severity</th><th>Title</th><th>Evidence</th><th>Remediation</th></tr>
{{range .Items}}<tr class="{{.Status}}"><td>{{.ID}}</td><td>{{.Status}}</td><td>{{.Severity}}</td><td>{{.Title}}</td><td>{{.Evidence}}</td><td>{{.Remediation}}</td></tr>
{{end}}</table>
<h2>Check results</h2>
<table><tr><th>Check</th><th>Target</th><th>Status</th><th>Evidence</th></tr>
{{range .Results}}<tr class="{{.Status}}"><td>{{.CheckID}}</td><td>{{.Target}} ({{.Kind}})</td><td>{{.Status}}</td><td>{{.Evidence}}</td></tr>
{{end}}</table>
</body></html>
`))

func renderHTML(w io.Writer, r *Report) error { return htmlReport.Execute(w, r) }
