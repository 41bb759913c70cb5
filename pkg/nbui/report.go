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

// InlineBudget is the most image bytes ShowReport inlines. Jupyter
// Notebook drops a kernel's outputs past 1 MB/s over 3 s
// (NotebookApp.iopub_data_rate_limit), and a report holds a card image
// for each of up to hundreds of units: the notebook shows the cards that
// fit, and the report file all of them.
const InlineBudget = 3 << 19

// ReportScope is the class of the element ShowReport shows a report in;
// the report's style applies inside it only.
const ReportScope = "neurotopics-report"

// ReportBody returns the report written into dir (index.html of
// `neurotopics run`) for showing inside a notebook page, where it must
// neither restyle the page nor point at files the notebook server does not
// serve: its body, its style scoped to the .neurotopics-report element
// ShowReport puts it in (ScopeCSS), and its images inlined as data URIs —
// every figure, and the unit cards in page order as long as their images
// fit in budget bytes; cards past it are left out (omitted counts them) and
// each card grid says how many it shows. An SVG figure is shown by its PNG
// twin when the run wrote one (the PNG's text is drawn; the SVG's depends
// on the browser's fonts). The page was escaped when written; it is
// returned as is.
func ReportBody(dir string, budget int) (body string, omitted int, err error) {
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
	// Every image the page shows must be there; figures first, then cards.
	var missing []string
	size := map[string]int{}
	for _, m := range imgSrc.FindAllStringSubmatch(s, -1) {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(pngTwin(dir, m[1]))))
		if err != nil {
			missing = append(missing, m[1])
			continue
		}
		size[m[1]] = int(fi.Size())
	}
	if len(missing) > 0 {
		return "", 0, fmt.Errorf("the report in %s shows files that are missing: %s", dir, strings.Join(missing, ", "))
	}
	left := budget
	for _, m := range imgSrc.FindAllStringSubmatch(stripCards(s), -1) {
		left -= size[m[1]]
	}
	s, omitted = keepCards(s, func(card string) bool {
		need := 0
		for _, m := range imgSrc.FindAllStringSubmatch(card, -1) {
			need += size[m[1]]
		}
		if need > left {
			return false
		}
		left -= need
		return true
	})
	var readErr error
	s = imgSrc.ReplaceAllStringFunc(s, func(m string) string {
		path := pngTwin(dir, imgSrc.FindStringSubmatch(m)[1])
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
		if err != nil {
			readErr = err
			return m
		}
		mime := "image/png"
		if strings.HasSuffix(path, ".svg") {
			mime = "image/svg+xml"
		}
		return `src="data:` + mime + `;base64,` + base64.StdEncoding.EncodeToString(b) + `"`
	})
	if readErr != nil {
		return "", 0, fmt.Errorf("inlining the report's images: %w", readErr)
	}
	// The report's style, scoped to the element it is shown in.
	if i, j := strings.Index(string(page), "<style>"), strings.Index(string(page), "</style>"); i >= 0 && j > i {
		s = "<style>" + ScopeCSS(string(page[i+len("<style>"):j]), "."+ReportScope) + "</style>" + s
	}
	return s, omitted, nil
}

// pngTwin returns the PNG the run wrote beside an SVG figure, or path
// itself.
func pngTwin(dir, path string) string {
	if !strings.HasSuffix(path, ".svg") {
		return path
	}
	png := strings.TrimSuffix(path, ".svg") + ".png"
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(png))); err == nil {
		return png
	}
	return path
}

// cardsOpen and cardOpen start a card grid and a card of a report page
// (pkg/report's template).
const (
	cardsOpen = `<div class="cards">`
	cardOpen  = `<div class="card">`
)

// divEnd returns the index just past the </div> closing the <div> that
// starts at s[start:] (the page's text is escaped, so every "<div" and
// "</div>" is a tag), or len(s).
func divEnd(s string, start int) int {
	depth := 0
	for i := start; i < len(s); {
		open, close := strings.Index(s[i:], "<div"), strings.Index(s[i:], "</div>")
		switch {
		case close < 0:
			return len(s)
		case open >= 0 && open < close:
			depth++
			i += open + len("<div")
		default:
			depth--
			i += close + len("</div>")
			if depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// stripCards returns s without its card grids.
func stripCards(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, cardsOpen)
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		s = s[divEnd(s, i):]
	}
}

// keepCards keeps the cards of s's card grids that keep accepts, in page
// order, drops the others, and puts a note before each grid that dropped
// some; it returns the page and the number of cards dropped.
func keepCards(s string, keep func(card string) bool) (string, int) {
	var out strings.Builder
	dropped := 0
	for {
		i := strings.Index(s, cardsOpen)
		if i < 0 {
			out.WriteString(s)
			return out.String(), dropped
		}
		out.WriteString(s[:i])
		end := divEnd(s, i)
		grid := s[i+len(cardsOpen) : end-len("</div>")]
		var kept strings.Builder
		shown, total := 0, 0
		for {
			j := strings.Index(grid, cardOpen)
			if j < 0 {
				kept.WriteString(grid)
				break
			}
			kept.WriteString(grid[:j])
			k := divEnd(grid, j)
			total++
			if keep(grid[j:k]) {
				shown++
				kept.WriteString(grid[j:k])
			}
			grid = grid[k:]
		}
		if shown < total {
			dropped += total - shown
			fmt.Fprintf(&out, `<p class="note">%d of %d unit cards shown here (the first in page order), to keep the notebook small: all of them are in the report file, the clearest units' in notebook 04_neurons.</p>`, shown, total)
		}
		out.WriteString(cardsOpen + kept.String() + "</div>")
		s = s[end:]
	}
}

// ScopeCSS returns a style sheet of plain rules (`selectors{declarations}`)
// that applies inside the elements matching scope only: each selector is
// prefixed by scope, and `body` / `html` become scope itself. At-rules
// (@media, @import, …) are dropped: none may reach the page.
func ScopeCSS(css, scope string) string {
	var b strings.Builder
	for _, rule := range strings.Split(css, "}") {
		sel, decls, ok := strings.Cut(rule, "{")
		sel = strings.TrimSpace(sel)
		if !ok || sel == "" || strings.HasPrefix(sel, "@") || strings.Contains(decls, "{") {
			continue
		}
		var sels []string
		for _, s := range strings.Split(sel, ",") {
			s = strings.TrimSpace(s)
			switch {
			case s == "body" || s == "html" || s == ":root":
				s = scope
			case strings.HasPrefix(s, "body ") || strings.HasPrefix(s, "html "):
				s = scope + s[4:]
			default:
				s = scope + " " + s
			}
			sels = append(sels, s)
		}
		b.WriteString(strings.Join(sels, ",") + "{" + strings.TrimSpace(decls) + "}\n")
	}
	return b.String()
}

// ShowReport shows the report written into dir (see ReportBody) inside a
// .neurotopics-report element, with up to InlineBudget bytes of its
// images; outside a notebook it prints the page's path.
func ShowReport(dir string) error {
	body, omitted, err := ReportBody(dir, InlineBudget)
	if err != nil {
		return err
	}
	if !gonbui.IsNotebook {
		fmt.Printf("report: %s (%d sections)\n", filepath.Join(dir, "index.html"), strings.Count(body, "<section id="))
		return nil
	}
	note := ""
	if omitted > 0 {
		note = fmt.Sprintf(`<p class="note">The report file has %d more unit cards: open %s in a browser for all of them.</p>`,
			omitted, html.EscapeString(filepath.Join(dir, "index.html")))
	}
	HTML(`<div class="` + ReportScope + `">` + note + body + `</div>`)
	return nil
}
