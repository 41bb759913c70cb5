package nbui

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// imgSrc matches the relative image sources of a report page.
var imgSrc = regexp.MustCompile(`src="(plots/[^"]+\.(png|svg))"`)

// ReportBody returns the body of the report written into dir (index.html of
// `neurotopics run`), with its plots inlined as data URIs so that a notebook
// shows it without serving the folder. The page was escaped when written;
// it is returned as is.
func ReportBody(dir string) (string, error) {
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		return "", fmt.Errorf("reading the report: %w (run `neurotopics run --out %s` first)", err, dir)
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
	s = imgSrc.ReplaceAllStringFunc(s, func(m string) string {
		sub := imgSrc.FindStringSubmatch(m)
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(sub[1])))
		if err != nil {
			missing = append(missing, sub[1])
			return m
		}
		mime := "image/png"
		if sub[2] == "svg" {
			mime = "image/svg+xml"
		}
		return `src="data:` + mime + `;base64,` + base64.StdEncoding.EncodeToString(b) + `"`
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("the report in %s shows files that are missing: %s", dir, strings.Join(missing, ", "))
	}
	return s, nil
}

// ShowReport shows the report written into dir (see ReportBody).
func ShowReport(dir string) error {
	body, err := ReportBody(dir)
	if err != nil {
		return err
	}
	HTML(`<div class="neurotopics-report">` + body + `</div>`)
	return nil
}
