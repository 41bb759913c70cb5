package nbui

import (
	"encoding/base64"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// imgSrc matches the relative image sources of a report page.
var imgSrc = regexp.MustCompile(`src="(plots/[^"]+\.(png|svg))"`)

// InlineBudget is the most image bytes ShowReport inlines: a notebook
// output of many megabytes is dropped by the kernel (a report can hold a
// card image for each of hundreds of units).
const InlineBudget = 3 << 20

// ReportBody returns the body of the report written into dir (index.html of
// `neurotopics run`), with its plots inlined as data URIs, in page order,
// up to budget bytes of images, so that a notebook shows it without serving
// the folder; images past the budget keep their relative path and are
// counted in skipped. The page was escaped when written; it is returned as
// is.
func ReportBody(dir string, budget int) (body string, skipped int, err error) {
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		return "", 0, fmt.Errorf("reading the report: %w (run `neurotopics run --out %s` first)", err, dir)
	}
	s := string(page)
	if i := strings.Index(s, "<body>"); i >= 0 {
		s = s[i+len("<body>"):]
	}
	if i := strings.LastIndex(s, "</body>"); i >= 0 {
		s = s[:i]
	}
	// Keep the report's table style.
	if i, j := strings.Index(string(page), "<style>"), strings.Index(string(page), "</style>"); i >= 0 && j > i {
		s = string(page[i:j+len("</style>")]) + s
	}
	var missing []string
	used := 0
	s = imgSrc.ReplaceAllStringFunc(s, func(m string) string {
		sub := imgSrc.FindStringSubmatch(m)
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(sub[1])))
		if err != nil {
			missing = append(missing, sub[1])
			return m
		}
		if used+len(b) > budget {
			skipped++
			return m
		}
		used += len(b)
		mime := "image/png"
		if sub[2] == "svg" {
			mime = "image/svg+xml"
		}
		return `src="data:` + mime + `;base64,` + base64.StdEncoding.EncodeToString(b) + `"`
	})
	if len(missing) > 0 {
		return "", 0, fmt.Errorf("the report in %s shows files that are missing: %s", dir, strings.Join(missing, ", "))
	}
	return s, skipped, nil
}

// ShowReport shows the report written into dir (see ReportBody), with up to
// InlineBudget bytes of its images; outside a notebook it prints the
// page's path.
func ShowReport(dir string) error {
	body, skipped, err := ReportBody(dir, InlineBudget)
	if err != nil {
		return err
	}
	if !gonbui.IsNotebook {
		fmt.Printf("report: %s (%d sections)\n", filepath.Join(dir, "index.html"), strings.Count(body, "<section id="))
		return nil
	}
	note := ""
	if skipped > 0 {
		note = fmt.Sprintf(`<p class="note">%d images (unit cards, mostly) are not shown here, to keep the notebook small: open %s in a browser for all of them.</p>`,
			skipped, html.EscapeString(filepath.Join(dir, "index.html")))
	}
	HTML(`<div class="neurotopics-report">` + note + body + `</div>`)
	return nil
}
