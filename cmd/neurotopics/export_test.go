package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// tinyData are the corpus flags of tinyRun, which export shares.
var tinyData = []string{"--quick", "--synth-train", "100", "--synth-val", "20", "--synth-test", "40", "--frame-fit-frames", "200"}

// sections reads the report's section ids in order.
func sections(t *testing.T, dir string) []string {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, part := range strings.Split(string(page), `<section id="`)[1:] {
		ids = append(ids, part[:strings.Index(part, `"`)])
	}
	return ids
}

func readMetrics(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRunOnExport exports a small synthetic corpus in the real formats and
// runs the pipeline on the export: with the exported ground truth the
// report's metrics.json is the synthetic run's, byte for byte; without it,
// every section that needs no ground truth has the same numbers (topic
// coherence, caption metrics, transfer to the MSR-VTT categories), and the
// sections that need it are absent or say so.
func TestRunOnExport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline three times (about two minutes); scripts/test.sh runs it")
	}
	root := t.TempDir()
	cache := filepath.Join(root, "features")
	synthDir := filepath.Join(root, "synth")
	// Two models (--paper=false): this test is about the data path; the
	// three-model run is TestRunPipeline's.
	if out, err := run(t, append(tinyRun, "--paper=false", "--out", synthDir, "--cache", cache)...); err != nil {
		t.Fatalf("synthetic run: %v\n%s", err, out)
	}
	export := filepath.Join(root, "export")
	if out, err := run(t, append([]string{"export", "--out", export, "--cache", cache}, tinyData...)...); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(export, "features", "*.npy"))
	if len(files) != 160 {
		t.Fatalf("export wrote %d feature files; want 160", len(files))
	}
	// run's own flags without the corpus ones: the data comes from files.
	runFlags := []string{"run", "--quick", "--quiet", "--steps", "30", "--transfer-seeds", "1", "--topics-k", "12", "--paper=false",
		"--captions", filepath.Join(export, "videodatainfo.json"), "--features", filepath.Join(export, "features")}

	withTruth := filepath.Join(root, "with-truth")
	if out, err := run(t, append(runFlags, "--out", withTruth, "--ground-truth", filepath.Join(export, dataset.GroundTruthFile))...); err != nil {
		t.Fatalf("run on the export with its ground truth: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(filepath.Join(synthDir, "metrics.json"))
	got, _ := os.ReadFile(filepath.Join(withTruth, "metrics.json"))
	if !bytes.Equal(got, want) {
		t.Errorf("run on the export with ground truth: metrics.json differs from the synthetic run's:\n%s\n---\n%s", got, want)
	}
	if s, w := sections(t, withTruth), sections(t, synthDir); !reflect.DeepEqual(s, w) {
		t.Errorf("sections %v; want the synthetic run's %v", s, w)
	}

	bare := filepath.Join(root, "bare")
	out, err := run(t, append(runFlags, "--out", bare)...)
	if err != nil {
		t.Fatalf("run on the export without ground truth: %v\n%s", err, out)
	}
	sm, bm := readMetrics(t, synthDir), readMetrics(t, bare)
	// Sections without ground truth: equal numbers.
	st, bt := sm["topics"].(map[string]any), bm["topics"].(map[string]any)
	for _, k := range []string{"npmi", "label_npmi", "diversity"} {
		if st[k] != bt[k] {
			t.Errorf("topics %s: %v without ground truth, %v on the synthetic corpus", k, bt[k], st[k])
		}
	}
	if _, ok := bt["families"]; ok {
		t.Error("topics: concept families reported without ground truth")
	}
	sc, bc := sm["captioning"].(map[string]any), bm["captioning"].(map[string]any)
	for _, k := range []string{"models", "human_ceiling", "constant_floor", "constant_caption"} {
		if !reflect.DeepEqual(sc[k], bc[k]) {
			t.Errorf("captioning %s differs without ground truth:\n%v\n%v", k, bc[k], sc[k])
		}
	}
	if fams, ok := bc["families"].(map[string]any); ok {
		for name, f := range fams {
			if f != nil {
				t.Errorf("captioning: concept families of %s reported without ground truth", name)
			}
		}
	}
	cells := func(m map[string]any) any { return m["transfer"].(map[string]any)["cells"] }
	if !reflect.DeepEqual(cells(sm), cells(bm)) {
		t.Error("transfer to the MSR-VTT categories differs from transfer to the synthetic actions")
	}
	// Sections that need ground truth are judged otherwise, and say so.
	page, _ := os.ReadFile(filepath.Join(bare, "index.html"))
	for _, w := range []string{"This dataset has no ground truth", "reference-derived truth", "topic labels and their category labels"} {
		if !strings.Contains(string(page), w) {
			t.Errorf("the report without ground truth does not say %q", w)
		}
	}
	if s := sections(t, bare); !reflect.DeepEqual(s, sections(t, synthDir)) {
		t.Errorf("sections %v without ground truth; want every section present (judged otherwise)", s)
	}
}
