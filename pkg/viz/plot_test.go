package viz

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBarChartSave(t *testing.T) {
	p, err := BarChart("CIDEr-D", "score", []string{"baseline", "interpretive"}, []Series{
		{Name: "seed mean", Values: []float64{1.9, 2.1}, Errors: []float64{0.1, 0.05}},
		{Name: "ceiling", Values: []float64{2.4, 2.4}},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "cider")
	pngPath, svgPath, err := Save(p, 12, 8, base)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(pngPath)
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("png: %v %v", err, img)
	}
	s, _ := os.ReadFile(svgPath)
	if !bytes.HasPrefix(bytes.TrimSpace(s), []byte("<?xml")) || !strings.Contains(string(s), "<svg") {
		t.Errorf("svg: %.80s", s)
	}
	if _, err := BarChart("x", "y", []string{"a"}, []Series{{Values: []float64{1, 2}}}); err == nil {
		t.Error("mismatched series accepted")
	}
	if Rel("/a/b", "/a/b/plots/x.png") != "plots/x.png" {
		t.Error("Rel")
	}
}

// TestCountTicks: a chart of counts has whole-number ticks without
// decimals ("25", not "25.00"); a chart of fractions keeps the default.
func TestCountTicks(t *testing.T) {
	labels := func(lo, hi float64) string {
		var ls []string
		for _, tk := range (IntTicks{}).Ticks(lo, hi) {
			ls = append(ls, tk.Label)
		}
		return strings.Join(ls, " ")
	}
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{{0, 54.6, "0 10 20 30 40 50"}, {0, 3.3, "0 1 2 3"}, {-0.5, 7, "0 2 4 6"}, {0, 1200, "0 500 1000"}, {0.2, 0.8, ""}} {
		if got := labels(c.lo, c.hi); got != c.want {
			t.Errorf("ticks of [%g, %g]: %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	p, err := BarChart("units", "units", []string{"a", "b"}, []Series{{Name: "x", Values: []float64{3, 44}}, {Name: "y", Values: []float64{0, 7}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Y.Tick.Marker.(IntTicks); !ok || !p.Legend.Left {
		t.Errorf("counts: marker %T, legend left %v; want IntTicks and the legend's text after its swatches", p.Y.Tick.Marker, p.Legend.Left)
	}
	p, err = BarChart("acc", "accuracy", []string{"a"}, []Series{{Name: "x", Values: []float64{0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Y.Tick.Marker.(IntTicks); ok {
		t.Error("fractions marked as counts")
	}
}
