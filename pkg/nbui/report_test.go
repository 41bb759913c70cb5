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
	if err := os.WriteFile(filepath.Join(dir, "plots", "a.png"), []byte("PNGDATA"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &report.Report{Title: "t"}
	r.AddSection("captioning", "Captioning").Add(report.Paragraph("<script>x</script>"), report.Figure{Path: "plots/a.png", Caption: "a"})
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	body, skipped, err := ReportBody(dir, 1<<20)
	if err != nil || skipped != 0 {
		t.Fatal(err, skipped)
	}
	if small, skipped, err := ReportBody(dir, 3); err != nil || skipped != 1 || strings.Contains(small, "base64") || !strings.Contains(small, `src="plots/a.png"`) {
		t.Errorf("over the budget: skipped %d, err %v; want the image left as a path", skipped, err)
	}
	for _, want := range []string{`<section id="captioning">`, "data:image/png;base64,UE5HREFUQQ==", "&lt;script&gt;", "<style>"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "<body>") {
		t.Error("body has a script element or the page's body tag")
	}
	os.Remove(filepath.Join(dir, "plots", "a.png"))
	if _, _, err := ReportBody(dir, 1<<20); err == nil || !strings.Contains(err.Error(), "plots/a.png") {
		t.Errorf("missing plot: got %v", err)
	}
	if _, _, err := ReportBody(t.TempDir(), 1<<20); err == nil || !strings.Contains(err.Error(), "neurotopics run") {
		t.Errorf("no report: got %v", err)
	}
}
