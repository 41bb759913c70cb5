package nbui

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/report"
)

// ShowNeurons shows an interpretation of the semantic units (r) and its
// report section, whose figures are relative to dir (as Run.Interpretation
// returns them): the summary lines, the interpretability (dissection)
// table, the chart of detected concepts, a table of every unit, and the
// cards of up to cards units — the detectors whose label agrees with their
// concept first, then by IoU — each one bordered block holding its text and
// its image (bar chart of mean scores over the unit's topics and frame
// strips of its top clips).
func ShowNeurons(r *interpret.Result, sec *report.Section, dir string, cards int) error {
	for _, blk := range sec.Blocks {
		switch b := blk.(type) {
		case report.Paragraph:
			if gonbui.IsNotebook {
				displayHTML(`<p class="neurotopics-neuron-summary">` + html.EscapeString(string(b)) + "</p>")
			} else {
				fmt.Println(string(b))
			}
		case report.Table:
			showTable("neurotopics-dissection", b.Caption, b.Header, b.Rows)
			if b.Note != "" {
				Markdown("*" + b.Note + "*")
			}
		case report.Figure:
			if err := showFigure(filepath.Join(dir, filepath.FromSlash(b.Path)), b.Caption); err != nil {
				return err
			}
		}
	}
	showUnitTable(r)
	var cs report.Cards
	for _, blk := range sec.Blocks {
		if c, ok := blk.(report.Cards); ok {
			cs = c
		}
	}
	if len(cs) != len(r.Units) {
		return fmt.Errorf("show neurons: %d cards for %d units (not the section of this result?)", len(cs), len(r.Units))
	}
	order := make([]int, 0, len(r.Units))
	for i := range r.Units {
		if !r.Units[i].Dead() {
			order = append(order, i)
		}
	}
	rank := func(u *interpret.Unit) int {
		switch {
		case u.Detector && u.Agrees:
			return 0
		case u.Detector:
			return 1
		case u.Agrees:
			return 2
		}
		return 3
	}
	slices.SortStableFunc(order, func(x, y int) int {
		ux, uy := &r.Units[x], &r.Units[y]
		if c := cmp.Compare(rank(ux), rank(uy)); c != 0 {
			return c
		}
		return cmp.Compare(uy.IoU, ux.IoU)
	})
	if len(order) > cards {
		order = order[:cards]
	}
	for _, i := range order {
		if err := showCard(cs[i], dir); err != nil {
			return err
		}
	}
	return nil
}

// showUnitTable shows one row per unit: its label, where it is active, its
// best-IoU concept and whether it is a detector whose label agrees.
func showUnitTable(r *interpret.Result) {
	header := []string{"unit", "label", "label score", "active clips", "best-IoU concept", "IoU", "detector", "label agrees"}
	var rows [][]string
	for _, u := range r.Units {
		label := u.Label
		switch {
		case u.Dead():
			label = "(dead)"
		case label == "":
			label = "(none)"
		}
		rows = append(rows, []string{fmt.Sprint(u.Unit), label, fmt.Sprintf("%.3g", u.LabelScore), fmt.Sprintf("%d / %d", u.Active, r.Clips),
			u.Concept, fmt.Sprintf("%.3f", u.IoU), yes(u.Detector), yes(u.Agrees)})
	}
	showTable("neurotopics-units", "Every unit: its label (highest mean "+r.Method+" score) and its best-IoU concept", header, rows)
}

// yes formats a flag.
func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// showCard shows a unit card: one bordered block with its title, lines,
// image (bar chart of mean scores and frame strips, at its own size) and
// facts.
func showCard(c report.Card, dir string) error {
	var png []byte
	if c.Image != "" {
		var err error
		if png, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Image))); err != nil {
			return fmt.Errorf("show unit card: %w", err)
		}
	}
	if !gonbui.IsNotebook {
		fmt.Println(c.Title)
		for _, l := range c.Lines {
			fmt.Println("  " + l)
		}
		for _, f := range c.Facts {
			fmt.Printf("  %s: %s\n", f[0], f[1])
		}
		if png != nil {
			fmt.Printf("  [image %s, %d bytes]\n", c.Image, len(png))
		}
		return nil
	}
	displayHTML(cardHTML(c, png))
	return nil
}

// cardHTML renders a unit card with its PNG image inline: the border holds
// the title, the lines, the image and the facts.
func cardHTML(c report.Card, png []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="neurotopics-unit-card" style="display:inline-block;max-width:100%%;box-sizing:border-box;border:1px solid #ccc;border-radius:6px;padding:.5em;margin:.5em 0"><h4 style="margin:.1em 0">%s</h4>`, html.EscapeString(c.Title))
	for _, l := range c.Lines {
		fmt.Fprintf(&b, "<div>%s</div>", html.EscapeString(l))
	}
	if png != nil {
		fmt.Fprintf(&b, `<img style="display:block;max-width:100%%;margin:.4em 0" alt="%s" src="data:image/png;base64,%s">`,
			html.EscapeString(c.Title), base64.StdEncoding.EncodeToString(png))
	}
	if len(c.Facts) > 0 {
		b.WriteString("<table>")
		for _, f := range c.Facts {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>", html.EscapeString(f[0]), html.EscapeString(f[1]))
		}
		b.WriteString("</table>")
	}
	b.WriteString("</div>")
	return b.String()
}

// showFigure shows a PNG or SVG file with a caption; an SVG by its PNG
// twin when there is one (the PNG's text is drawn; the SVG's depends on the
// browser's fonts).
func showFigure(path, caption string) error {
	if strings.HasSuffix(strings.ToLower(path), ".svg") {
		if png := path[:len(path)-len(".svg")] + ".png"; fileExists(png) {
			path = png
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("showing figure: %w", err)
	}
	if !gonbui.IsNotebook {
		fmt.Printf("[figure %s: %s]\n", path, caption)
		return nil
	}
	mime := "image/png"
	if strings.HasSuffix(strings.ToLower(path), ".svg") {
		mime = "image/svg+xml"
	}
	displayHTML(fmt.Sprintf(`<figure><img style="max-width:100%%" alt="%s" src="data:%s;base64,%s"><figcaption>%s</figcaption></figure>`,
		html.EscapeString(caption), mime, base64.StdEncoding.EncodeToString(data), html.EscapeString(caption)))
	return nil
}

// fileExists reports whether path names a file.
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}
