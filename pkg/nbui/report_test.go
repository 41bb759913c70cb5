package nbui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/report"
)

func TestReportBody(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "plots"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"a.png": "PNGDATA", "c.svg": "<svg/>", "c.png": "CPNG", "u0.png": "U0U0", "u1.png": "U1U1", "u2.png": "U2U2"} {
		if err := os.WriteFile(filepath.Join(dir, "plots", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := &report.Report{Title: "t"}
	r.AddSection("captioning", "Captioning").Add(report.Paragraph("<script>x</script>"), report.Figure{Path: "plots/a.png", Caption: "a"},
		report.Figure{Path: "plots/c.svg", Caption: "c"})
	r.AddSection("neurons", "Neurons").Add(report.Cards{
		{Title: "unit 0", Lines: []string{"<div>"}, Image: "plots/u0.png", Facts: [][2]string{{"k", "v"}}},
		{Title: "unit 1", Image: "plots/u1.png"},
		{Title: "unit 2", Image: "plots/u2.png"},
	})
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	body, omitted, err := ReportBody(dir, 1<<20)
	if err != nil || omitted != 0 {
		t.Fatal(err, omitted)
	}
	for _, want := range []string{`<section id="captioning">`, "data:image/png;base64,UE5HREFUQQ==", "&lt;script&gt;",
		"data:image/png;base64,Q1BORw==", // the SVG figure shown by its PNG twin
		".neurotopics-report{font-family:", ".neurotopics-report td,.neurotopics-report th{", ".neurotopics-report .card h4{"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "<body>") || strings.Contains(body, `src="plots/`) {
		t.Error("body has a script element, the page's body tag or an image by path")
	}
	// Figures (7 + 4 bytes) always; then cards in page order while they fit.
	small, omitted, err := ReportBody(dir, 7+4+4+4)
	if err != nil || omitted != 1 {
		t.Fatalf("over the budget: omitted %d, err %v; want 1 card left out", omitted, err)
	}
	if !strings.Contains(small, "unit 1") || strings.Contains(small, "unit 2") || strings.Contains(small, `src="plots/`) ||
		!strings.Contains(small, "2 of 3 unit cards shown here") || strings.Count(small, `<div class="card">`) != 2 {
		t.Errorf("over the budget: want units 0 and 1 shown, unit 2 left out with a note, no image by path:\n%s", small)
	}
	if strings.Count(small, "<div") != strings.Count(small, "</div>") {
		t.Errorf("unbalanced divs after leaving cards out:\n%s", small)
	}
	os.Remove(filepath.Join(dir, "plots", "a.png"))
	if _, _, err := ReportBody(dir, 1<<20); err == nil || !strings.Contains(err.Error(), "plots/a.png") {
		t.Errorf("missing plot: got %v", err)
	}
	if _, _, err := ReportBody(t.TempDir(), 1<<20); err == nil || !strings.Contains(err.Error(), "neurotopics run") {
		t.Errorf("no report: got %v", err)
	}
}

func TestScopeCSS(t *testing.T) {
	got := ScopeCSS("body{font-family:serif;max-width:900px}\ntable{x:1}td,th{y:2}\n@media print{p{z:3}}\n.card h4{m:0}html body p{q:1}", ".s")
	want := ".s{font-family:serif;max-width:900px}\n.s table{x:1}\n.s td,.s th{y:2}\n.s .card h4{m:0}\n.s body p{q:1}\n"
	if got != want {
		t.Errorf("ScopeCSS:\n%s\nwant\n%s", got, want)
	}
}
