// Package report writes neurotopics' reproducible report: one index.html with
// sections of tables shaped like the paper's, figures and unit cards, plus
// metrics.json (every number, machine-readable) and config.json (the full
// configuration and seed). Every string that comes from data — captions,
// topic words, clip ids — is HTML-escaped (html/template does it).
//
// The same Report value always writes the same bytes: metrics.json has sorted
// keys and no timestamps, so two runs with the same seed can be compared with
// cmp.
package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Report is the whole document.
type Report struct {
	Title    string
	Subtitle string
	Sections []*Section
	// Metrics holds every number of the report; written as metrics.json.
	Metrics map[string]any
	// Config is the full configuration of the run; written as config.json.
	Config any
}

// Section is one titled part of the report; ID is its HTML anchor.
type Section struct {
	ID, Title string
	Blocks    []Block
}

// Block is one element of a section.
type Block interface {
	render(w io.Writer) error
}

// Add appends blocks to the section and returns it.
func (s *Section) Add(b ...Block) *Section {
	s.Blocks = append(s.Blocks, b...)
	return s
}

// AddSection appends a new section.
func (r *Report) AddSection(id, title string) *Section {
	s := &Section{ID: id, Title: title}
	r.Sections = append(r.Sections, s)
	return s
}

// Paragraph is a paragraph of plain text.
type Paragraph string

// Code is a command line or other preformatted text.
type Code string

// Table is a table of text cells; Note is printed under it (e.g. the command
// that produced the numbers).
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	Note    string
}

// Figure is an image file relative to the report folder (PNG or SVG).
type Figure struct {
	Path, Caption string
	// Width in CSS pixels (0: natural size).
	Width int
}

// Card is a titled box with text lines, an optional image and optional
// key/value facts — a unit card of the neuron report.
type Card struct {
	Title string
	Lines []string
	Image string // relative path
	Facts [][2]string
}

// Cards lays out cards in a grid.
type Cards []Card

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{"render": renderBlock}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
caption{font-weight:600;text-align:left;padding:.3em 0}.note{color:#666;font-size:.9em}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ccc;border-radius:6px;padding:.6em;width:456px;max-width:100%}
.card h4{margin:.1em 0 .4em}.card img{max-width:100%;image-rendering:pixelated}
nav a{margin-right:1em}
</style></head><body>
<h1>{{.Title}}</h1>{{if .Subtitle}}<p>{{.Subtitle}}</p>{{end}}
<nav>{{range .Sections}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}</nav>
{{range .Sections}}<section id="{{.ID}}"><h2>{{.Title}}</h2>
{{range .Blocks}}{{render .}}{{end}}</section>
{{end}}<footer class="note">Numbers: metrics.json · configuration: config.json</footer>
</body></html>
`))

var blockTmpl = template.Must(template.New("blocks").Parse(`
{{define "paragraph"}}<p>{{.}}</p>{{end}}
{{define "code"}}<pre>{{.}}</pre>{{end}}
{{define "table"}}<table>{{if .Caption}}<caption>{{.Caption}}</caption>{{end}}
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{if .Note}}<p class="note">{{.Note}}</p>{{end}}{{end}}
{{define "figure"}}<figure><img src="{{.Path}}" alt="{{.Caption}}"{{if .Width}} width="{{.Width}}"{{end}}>{{if .Caption}}<figcaption>{{.Caption}}</figcaption>{{end}}</figure>{{end}}
{{define "card"}}<div class="card"><h4>{{.Title}}</h4>{{range .Lines}}<div>{{.}}</div>{{end}}
{{if .Image}}<img src="{{.Image}}" alt="{{.Title}}">{{end}}
{{if .Facts}}<table>{{range .Facts}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>{{end}}</div>{{end}}
{{define "cards"}}<div class="cards">{{range .}}{{template "card" .}}{{end}}</div>{{end}}
`))

func (p Paragraph) render(w io.Writer) error {
	return blockTmpl.ExecuteTemplate(w, "paragraph", string(p))
}
func (c Code) render(w io.Writer) error   { return blockTmpl.ExecuteTemplate(w, "code", string(c)) }
func (t Table) render(w io.Writer) error  { return blockTmpl.ExecuteTemplate(w, "table", t) }
func (f Figure) render(w io.Writer) error { return blockTmpl.ExecuteTemplate(w, "figure", f) }
func (c Card) render(w io.Writer) error   { return blockTmpl.ExecuteTemplate(w, "card", c) }
func (c Cards) render(w io.Writer) error  { return blockTmpl.ExecuteTemplate(w, "cards", []Card(c)) }

// renderBlock renders one block. Blocks are rendered by html/template, which
// escapes their data, so the result is safe to insert as HTML.
func renderBlock(b Block) (template.HTML, error) {
	var s strings.Builder
	err := b.render(&s)
	return template.HTML(s.String()), err
}

// HTML renders the page.
func (r *Report) HTML() ([]byte, error) {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, r); err != nil {
		return nil, fmt.Errorf("rendering report: %w", err)
	}
	return buf.Bytes(), nil
}

// Write writes index.html, metrics.json and config.json into dir,
// atomically each.
func (r *Report) Write(dir string) error {
	page, err := r.HTML()
	if err != nil {
		return err
	}
	if err := corpus.WriteFileAtomic(filepath.Join(dir, "index.html"), func(w io.Writer) error {
		_, err := w.Write(page)
		return err
	}); err != nil {
		return err
	}
	for name, v := range map[string]any{"metrics.json": r.Metrics, "config.json": r.Config} {
		if err := WriteJSON(filepath.Join(dir, name), v); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes v as indented JSON with sorted map keys, atomically.
func WriteJSON(path string, v any) error { return corpus.WriteJSONFile(path, v) }
