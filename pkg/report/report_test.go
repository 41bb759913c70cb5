package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const evil = `<script>alert("x")</script>`

func sample() *Report {
	r := &Report{Title: "neurotopics " + evil, Metrics: map[string]any{"b": 2.5, "a": map[string]int{"y": 1, "x": 2}}, Config: map[string]any{"seed": 1}}
	r.AddSection("captioning", "Captioning "+evil).Add(
		Paragraph("caption: "+evil),
		Table{Caption: evil, Header: []string{"model", evil}, Rows: [][]string{{"baseline", evil}}, Note: evil},
		Figure{Path: "plots/x.png", Caption: evil},
		Code("go run ./cmd/neurotopics run "+evil),
	)
	r.AddSection("neurons", "Neurons").Add(Cards{{Title: "unit 3: " + evil, Lines: []string{evil}, Image: "plots/u3.png", Facts: [][2]string{{"IoU", evil}}}})
	return r
}

func TestHTMLEscapesEverything(t *testing.T) {
	page, err := sample().HTML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "<script") {
		t.Errorf("unescaped <script> in the page")
	}
	if n := strings.Count(s, "&lt;script&gt;"); n < 10 {
		t.Errorf("expected the payload escaped everywhere (≥10 times), found %d", n)
	}
	for _, frag := range []string{`<section id="captioning">`, `<section id="neurons">`, `href="#neurons"`, `<div class="card">`, `<img src="plots/x.png"`, "<th>model</th>"} {
		if !strings.Contains(s, frag) {
			t.Errorf("page lacks %q", frag)
		}
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	if err := sample().Write(d1); err != nil {
		t.Fatal(err)
	}
	if err := sample().Write(d2); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "metrics.json", "config.json"} {
		a, _ := os.ReadFile(filepath.Join(d1, f))
		b, _ := os.ReadFile(filepath.Join(d2, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two writes of the same report", f)
		}
	}
	m, _ := os.ReadFile(filepath.Join(d1, "metrics.json"))
	if !strings.Contains(string(m), "\"a\": {\n    \"x\": 2,\n    \"y\": 1\n  },\n  \"b\": 2.5") {
		t.Errorf("metrics.json not sorted/indented: %s", m)
	}
}
