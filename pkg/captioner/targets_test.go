package captioner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

func TestParseTargetsCSV(t *testing.T) {
	tg, err := ParseTargetsCSV(strings.NewReader("clip_id,red,circle\nv1,1,0\nv2,0,1\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tg.Names, " ") != "red circle" || tg.ByClip["v2"][1] != 1 || tg.ByClip["v1"][1] != 0 {
		t.Errorf("got %+v", tg)
	}
	for _, c := range []struct{ text, want string }{
		{"", "empty file"},
		{"id,a\nv1,1\n", `t.csv:1: expected a header clip_id`},
		{"clip_id,a\nv1,x\n", `t.csv:2: column 2 (a) is "x"`},
		{"clip_id,a\nv1,1\nv1,0\n", `t.csv:3: clip "v1" appears twice`},
		{"clip_id,a\n", "no rows"},
		{"clip_id,a\nv1,NaN\n", "finite"},
	} {
		if _, err := ParseTargetsCSV(strings.NewReader(c.text), "t.csv"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.text, err, c.want)
		}
	}
}

func TestLoadTargetsFolder(t *testing.T) {
	dir := t.TempDir()
	if err := corpus.WriteNPY(filepath.Join(dir, TargetsLabelsNPY), []int{2, 3}, []float32{1, 0, 0, 0, 1, 1}, corpus.DTypeUint8); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, TargetsClipsFile), []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := LoadTargets(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tg.K() != 3 || tg.Names[2] != "topic 2" || tg.ByClip["b"][2] != 1 || tg.ByClip["a"][1] != 0 {
		t.Errorf("got %+v", tg)
	}
	if err := os.WriteFile(filepath.Join(dir, TargetsClipsFile), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTargets(dir); err == nil || !strings.Contains(err.Error(), "2 rows but clips.txt has 1") {
		t.Errorf("mismatched ids: got %v", err)
	}
}

// TestTargetsHugeFieldNotEchoed: a 100 KB field gives an error of a
// readable size naming the file, the line and the column; a 10 MB line is
// refused at the line limit.
func TestTargetsHugeFieldNotEchoed(t *testing.T) {
	long, huge := strings.Repeat("x", 100<<10), strings.Repeat("x", 10<<20)
	for _, tc := range []struct{ csv, want string }{
		{"clip_id,t0\nvid1," + long + "\n", "t.csv:2: column 2 (t0) is"},
		{"id," + long + "\n", "t.csv:1: expected a header clip_id"},
		{"clip_id,t0\nvid1," + huge + "\n", "t.csv: line 2 longer than 1 MiB (corpus.MaxLineBytes)"},
	} {
		_, err := ParseTargetsCSV(strings.NewReader(tc.csv), "t.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) || len(err.Error()) > 300 {
			t.Errorf("error of %d bytes; want ≤ 300 with %q", len(fmt.Sprint(err)), tc.want)
		}
	}
}
