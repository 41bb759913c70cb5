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
