package dataset

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// fixture writes MSVD caption files with clips per split and a feature
// folder with the clips of feats ([3, dim] each, values from the clip's
// number), and returns the config.
func fixture(t *testing.T, splits map[string][]string, feats []string, dim func(id string) int, value func(id string) float32) Config {
	t.Helper()
	dir := t.TempDir()
	var capFiles []string
	names := make([]string, 0, len(splits))
	for split := range splits {
		names = append(names, split)
	}
	sort.Strings(names)
	for _, split := range names {
		ids := splits[split]
		var b strings.Builder
		for _, id := range ids {
			fmt.Fprintf(&b, "%s\ta person is doing %s\n%s\tsomeone does %s\n", id, id, id, id)
		}
		p := filepath.Join(dir, "msvd_"+split+".tsv")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		capFiles = append(capFiles, p)
	}
	fdir := filepath.Join(dir, "features")
	if err := os.MkdirAll(fdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range feats {
		d := 4
		if dim != nil {
			d = dim(id)
		}
		data := make([]float32, 3*d)
		for i := range data {
			data[i] = float32(i)
			if value != nil {
				data[i] = value(id)
			}
		}
		if err := corpus.WriteNPY(filepath.Join(fdir, id+".npy"), []int{3, d}, data, corpus.DTypeFloat32); err != nil {
			t.Fatal(err)
		}
	}
	return Config{Captions: capFiles, Features: fdir}
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func TestLoadJoinsAndCounts(t *testing.T) {
	train, val, test := ids("a", 20), ids("b", 5), ids("c", 5)
	// Two captioned clips lack features, one featured clip lacks captions.
	feats := append(append(append([]string{}, train[2:]...), val...), append(test, "orphan")...)
	cfg := fixture(t, map[string][]string{"train": train, "val": val, "test": test}, feats, nil, nil)
	d, err := Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	j := d.Join
	if j.Captioned != 30 || j.Featured != 29 || j.Joined != 28 || len(j.NoFeatures) != 2 || len(j.NoCaptions) != 1 {
		t.Errorf("join %+v; want 30 captioned, 29 featured, 28 joined, 2 without features, 1 without captions", j)
	}
	if got := len(d.SplitIDs("train")); got != 18 {
		t.Errorf("train split has %d clips; want 18", got)
	}
	if d.Labels != nil || d.GroundTruth != nil {
		t.Error("MSVD captions gave labels or ground truth")
	}
	lines := strings.Join(j.Lines(), "\n")
	for _, want := range []string{"2 clips have captions but no features", "1 clip has features but no captions"} {
		if !strings.Contains(lines, want) {
			t.Errorf("join lines %q lack %q", lines, want)
		}
	}
	// The key follows the content.
	d2, err := Load(cfg)
	if err != nil || d2.Key != d.Key {
		t.Errorf("same files, keys %s and %v (%v)", d.Key, d2, err)
	}
	if err := os.WriteFile(cfg.Captions[0], []byte("a0\tother words\n"), 0o644); err == nil {
		if d3, err := Load(Config{Captions: cfg.Captions, Features: cfg.Features, MaxMissing: 1}); err == nil && d3.Key == d.Key {
			t.Error("changed captions kept the key")
		}
	}
}

func TestLoadErrors(t *testing.T) {
	train, val, test := ids("a", 10), ids("b", 2), ids("c", 2)
	all := append(append(append([]string{}, train...), val...), test...)
	splits := map[string][]string{"train": train, "val": val, "test": test}
	cases := []struct {
		name  string
		cfg   func(t *testing.T) Config
		wants []string
	}{
		{"too many missing", func(t *testing.T) Config { return fixture(t, splits, all[:7], nil, nil) },
			[]string{"7 of 14 captioned clips have no features", "--max-missing"}},
		{"mixed dims", func(t *testing.T) Config {
			return fixture(t, splits, all, func(id string) int { return map[bool]int{true: 5, false: 4}[id == "b1"] }, nil)
		}, []string{"b1.npy", "dim 5", "dim 4"}},
		{"NaN", func(t *testing.T) Config {
			return fixture(t, splits, all, nil, func(id string) float32 {
				if id == "c0" {
					return float32(math.NaN())
				}
				return 1
			})
		}, []string{"c0.npy", "NaN"}},
		{"empty split", func(t *testing.T) Config {
			return fixture(t, map[string][]string{"train": train, "test": test}, all, nil, nil)
		}, []string{"val split has no clips"}},
		{"no overlap", func(t *testing.T) Config { return fixture(t, splits, ids("z", 3), nil, nil) },
			[]string{"no clip has both captions and features", "a0", "z0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg(t)
			if c.name == "empty split" {
				cfg.MaxMissing = 1
			}
			_, err := Load(cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadMovesClipsInSeveralSplits(t *testing.T) {
	train, test := ids("a", 10), ids("c", 4)
	val := []string{"a1", "c2", "v0"}
	all := append(append(append([]string{}, train...), test...), "v0")
	d, err := Load(fixture(t, map[string][]string{"train": train, "val": val, "test": test}, all, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.SplitIDs("val"); !reflect.DeepEqual(got, []string{"a1", "v0"}) {
		t.Errorf("val = %v; want [a1 v0] (c2 stays in test)", got)
	}
	if got := len(d.SplitIDs("train")); got != 9 {
		t.Errorf("train has %d clips; want 9 (a1 went to val)", got)
	}
	if !strings.Contains(strings.Join(d.Captions.Warnings, "\n"), "2 clips are listed in more than one split") {
		t.Errorf("warnings %q do not count the moved clips", d.Captions.Warnings)
	}
}

func sampleTruth() *GroundTruth {
	return &GroundTruth{
		Families: []Family{{"color", []string{"color:red", "color:blue"}}, {"shape", []string{"shape:circle", "shape:square"}}},
		ByClip:   map[string][]string{"x": {"color:red", "shape:circle"}, "y": {"color:blue", "shape:square"}},
		Lexicon:  map[string]string{"red": "color:red", "crimson": "color:red", "blue": "color:blue", "circle": "shape:circle", "ball": "shape:circle", "box": "shape:square"},
	}
}

func TestGroundTruth(t *testing.T) {
	g := sampleTruth()
	if got := g.ConceptsInCaption("A ball, crimson and red, beside a blue box"); strings.Join(got, ",") != "color:red,color:blue,shape:circle,shape:square" {
		t.Errorf("concepts in caption = %v", got)
	}
	fa := g.FamilyAccuracy(map[string]string{"x": "a red box", "y": "a blue square thing", "z": "red"})
	if fa[0].Family != "color" || fa[0].Named != 2 || fa[0].Correct != 2 || fa[1].Named != 1 || fa[1].Correct != 0 || fa[0].Clips != 2 {
		t.Errorf("family accuracy %+v", fa)
	}
	path := filepath.Join(t.TempDir(), GroundTruthFile)
	labels := &Labels{Name: "action", Classes: []string{"left", "right"}, ByClip: map[string]int{"x": 1}}
	if err := WriteGroundTruth(path, g, labels); err != nil {
		t.Fatal(err)
	}
	g2, l2, err := ReadGroundTruth(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(g2.Concepts()) != 4 || l2.ByClip["x"] != 1 || l2.Name != "action" || g2.Lexicon["crimson"] != "color:red" {
		t.Errorf("round trip: %+v %+v", g2, l2)
	}
	for _, bad := range []struct{ json, want string }{
		{`{"families":[{"name":"color","concepts":["shape:x"]}]}`, `"color:<value>"`},
		{`{"families":[{"name":"color","concepts":["color:a"]}],"by_clip":{"v":["color:b"]}}`, `clip v has concept "color:b"`},
		{`{"families":[{"name":"color","concepts":["color:a"]}],"labels":{"classes":["a"],"by_clip":{"v":3}}}`, "clip v has class 3"},
		{`{"families": 3}`, "line 1"},
		{`{}`, `no "families"`},
	} {
		if _, _, err := ParseGroundTruth([]byte(bad.json), "gt.json"); err == nil || !strings.Contains(err.Error(), bad.want) || !strings.HasPrefix(err.Error(), "gt.json") {
			t.Errorf("%s: error %v; want one naming gt.json and %q", bad.json, err, bad.want)
		}
	}
}

func FuzzParseGroundTruth(f *testing.F) {
	f.Add([]byte(`{"families":[{"name":"color","concepts":["color:a"]}],"by_clip":{"v":["color:a"]},"lexicon":{"a":"color:a"},"labels":{"name":"n","classes":["a"],"by_clip":{"v":0}}}`))
	f.Add([]byte(`{"families":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, l, err := ParseGroundTruth(data, "gt.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "gt.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := g.Validate("again"); err != nil {
			t.Fatalf("accepted ground truth fails validation: %v", err)
		}
		for _, c := range l.classesOf() {
			if c < 0 || (l != nil && c >= len(l.Classes)) {
				t.Fatalf("class %d out of range", c)
			}
		}
		g.ConceptsInCaption("a b c")
	})
}

// classesOf lists the classes of l's clips (none for nil).
func (l *Labels) classesOf() []int {
	if l == nil {
		return nil
	}
	var out []int
	for _, c := range l.ByClip {
		out = append(out, c)
	}
	return out
}

// TestGroundTruthConcurrent: stages running side by side share one ground
// truth (the race detector runs this in scripts/test.sh).
func TestGroundTruthConcurrent(t *testing.T) {
	g := sampleTruth()
	done := make(chan []string)
	for i := 0; i < 4; i++ {
		go func() { done <- g.ConceptsInCaption("a blue ball") }()
	}
	for i := 0; i < 4; i++ {
		if got := <-done; strings.Join(got, ",") != "color:blue,shape:circle" {
			t.Errorf("concepts %v", got)
		}
	}
}
