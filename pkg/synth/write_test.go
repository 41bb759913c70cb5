package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Train, cfg.Val, cfg.Test = 60, 10, 20
	return cfg
}

// writeHashes generates cfg, writes it into a new folder with GOMAXPROCS
// procs, and returns the SHA-256 of every file in it by name.
func writeHashes(t *testing.T, cfg Config, procs int) (map[string]string, string) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var calls []int
	if err := c.Write(dir, func(done, total int) {
		if total != cfg.NumClips() {
			t.Errorf("progress total %d, want %d", total, cfg.NumClips())
		}
		calls = append(calls, done)
	}); err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || calls[len(calls)-1] != cfg.NumClips() || !slices.IsSorted(calls) {
		t.Errorf("progress calls %v, want increasing to %d", calls, cfg.NumClips())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		hashes[e.Name()] = fmt.Sprintf("%x", sha256.Sum256(data))
	}
	return hashes, dir
}

func TestWriteDeterministic(t *testing.T) {
	cfg := smallConfig()
	a, _ := writeHashes(t, cfg, 1)
	b, _ := writeHashes(t, cfg, 4)
	want := []string{FileGroundTruthCSV, FileGroundTruthJSON, FileVideoDataInfo}
	for _, s := range Splits {
		want = append(want, FramesFile(s), IDsFile(s))
	}
	slices.Sort(want)
	var names []string
	for n := range a {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v (no temporary files left)", names, want)
	}
	if !reflect.DeepEqual(a, b) {
		for n := range a {
			if a[n] != b[n] {
				t.Errorf("%s differs between two writes of the same config (GOMAXPROCS 1 and 4)", n)
			}
		}
	}
	cfg.Seed++
	c, _ := writeHashes(t, cfg, 2)
	for n := range a {
		if a[n] == c[n] && !strings.HasPrefix(n, "ids_") {
			t.Errorf("%s is the same for seeds %d and %d", n, cfg.Seed-1, cfg.Seed)
		}
	}
}

// TestWriteReadBack reads every written file back with the corpus package
// (as a real-data user would) and compares it with the in-memory corpus.
func TestWriteReadBack(t *testing.T) {
	cfg := smallConfig()
	cfg.Val = 1 // a one-clip split: its .npy is compared with corpus.EncodeNPY byte for byte
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := c.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, split := range Splits {
		idx := c.SplitClips(split)
		arr, err := corpus.ReadNPY(filepath.Join(dir, FramesFile(split)))
		if err != nil {
			t.Fatal(err)
		}
		wantShape := append([]int{len(idx)}, c.FrameShape()...)
		if !slices.Equal(arr.Shape, wantShape) || arr.DType != corpus.DTypeUint8 {
			t.Fatalf("%s: shape %v dtype %s, want %v |u1", split, arr.Shape, arr.DType, wantShape)
		}
		n := c.FrameLen()
		all := make([]float32, 0, len(idx)*n)
		for row, i := range idx {
			for k, v := range c.Frames(i) {
				q := float32(math.Round(float64(v) * 255))
				if arr.Data[row*n+k] != q {
					t.Fatalf("%s row %d value %d: file %v, want round(255·%v) = %v", split, row, k, arr.Data[row*n+k], v, q)
				}
				all = append(all, q)
			}
		}
		if len(idx) == 1 {
			var buf bytes.Buffer
			if err := corpus.EncodeNPY(&buf, wantShape, all, corpus.DTypeUint8); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(dir, FramesFile(split)))
			if !bytes.Equal(got, buf.Bytes()) {
				t.Errorf("%s: streamed .npy differs from corpus.EncodeNPY's", split)
			}
		}
		ids, err := os.ReadFile(filepath.Join(dir, IDsFile(split)))
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for _, i := range idx {
			want.WriteString(c.Clips[i].ID + "\n")
		}
		if string(ids) != want.String() {
			t.Errorf("%s: ids file does not list the rows' clip ids", split)
		}
	}

	caps, err := corpus.LoadCaptions(dir)
	if err != nil {
		t.Fatal(err)
	}
	mem := c.Captions()
	if !slices.Equal(caps.Clips, mem.Clips) || !reflect.DeepEqual(caps.ByClip, mem.ByClip) ||
		!reflect.DeepEqual(caps.Splits, mem.Splits) || !reflect.DeepEqual(caps.Category, mem.Category) {
		t.Errorf("videodatainfo.json read back differs from Captions()")
	}
	if len(caps.Warnings) > 0 {
		t.Errorf("loading warnings: %v", caps.Warnings)
	}

	gt, err := ReadGroundTruth(filepath.Join(dir, FileGroundTruthJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gt, c.GroundTruth()) {
		t.Errorf("groundtruth.json read back differs from GroundTruth()")
	}
	for i, g := range gt.Clips {
		clip := &c.Clips[i]
		for k, capt := range g.Captions {
			if capt.Caption != clip.Captions[k] || capt.Noise != clip.Noise[k] {
				t.Fatalf("%s caption %d: ground truth %q/%q, clip %q/%q", clip.ID, k, capt.Caption, capt.Noise, clip.Captions[k], clip.Noise[k])
			}
		}
	}

	f, err := os.Open(filepath.Join(dir, FileGroundTruthCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], CSVHeader) || len(rows) != len(c.Clips)+1 {
		t.Fatalf("csv header %v and %d rows", rows[0], len(rows))
	}
	for i, row := range rows[1:] {
		clip := &c.Clips[i]
		want := []string{clip.ID, clip.Split, fmt.Sprint(clip.Action()), clip.Motion, clip.Count(), clip.Background}
		if !slices.Equal(row[:6], want) || row[12] != strings.Join(clip.Concepts(), ";") ||
			row[6] != clip.Objects[0].Shape || (len(clip.Objects) == 1) != (row[9] == "") {
			t.Fatalf("csv row %d = %v, clip %+v", i, row, clip)
		}
	}
}

func TestReadGroundTruthErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadGroundTruth(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("no error for a missing file")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o644)
	if _, err := ReadGroundTruth(bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("error %v should name the file", err)
	}
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, []byte(`{"clips": []}`), 0o644)
	if _, err := ReadGroundTruth(empty); err == nil || !strings.Contains(err.Error(), "no clips") {
		t.Errorf("error %v should say there are no clips", err)
	}
}

// FuzzConfig checks that any valid config generates in-range frames and
// consistent captions, and that invalid ones are refused.
func FuzzConfig(f *testing.F) {
	f.Add(uint64(1), 12, 32, 3, 1, 1, 10, 0.05, 0.3, 0.05)
	f.Add(uint64(7), 4, 16, 2, 0, 0, 1, 1.0, 1.0, 0.0)
	f.Add(uint64(0), 5, 20, 0, 0, 2, 3, 0.0, 0.0, 0.5)
	f.Add(uint64(9), 3, 15, -1, 0, 0, 0, -1.0, 2.0, 1.0)
	f.Fuzz(func(t *testing.T, seed uint64, frames, size, train, val, test, caps int, noise, two, pix float64) {
		cfg := Config{Seed: seed, Frames: frames, Size: size, Train: train, Val: val, Test: test,
			CaptionsPerClip: caps, NoiseRate: noise, TwoObjectRate: two, PixelNoise: pix}
		if cfg.Validate() != nil {
			if _, err := Generate(cfg); err == nil {
				t.Fatal("Generate accepted a config that Validate refuses")
			}
			return
		}
		if cfg.NumClips() > 8 || frames > 16 || size > 48 || caps > 20 {
			t.Skip("too large for a fuzz case")
		}
		c, err := Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.Clips {
			clip := &c.Clips[i]
			for _, v := range c.Frames(i) {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("value %v outside [0,1]", v)
				}
			}
			for k, s := range clip.Captions {
				if clip.Noise[k] == NoiseNone {
					for _, id := range ConceptsInCaption(s) {
						if !clip.HasConcept(id) {
							t.Fatalf("clean caption %q names %s", s, id)
						}
					}
				}
			}
		}
	})
}

// BenchmarkGenerateDefault generates the default corpus and writes it.
func BenchmarkGenerateDefault(b *testing.B) {
	for b.Loop() {
		c, err := Generate(DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		if err := c.Write(dir, nil); err != nil {
			b.Fatal(err)
		}
		var size int64
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if info, err := e.Info(); err == nil {
				size += info.Size()
			}
		}
		b.ReportMetric(float64(size), "bytes-on-disk")
	}
}

func FuzzParseGroundTruth(f *testing.F) {
	files, _ := filepath.Glob("testdata/groundtruth_*.json")
	if len(files) == 0 {
		f.Fatal("no seed files testdata/groundtruth_*.json")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		gt, err := ParseGroundTruth(data, "gt.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "gt.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(gt.Clips) == 0 {
			t.Fatal("accepted a ground truth without clips")
		}
	})
}

func TestParseGroundTruthErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/groundtruth_tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseGroundTruth(good, "gt.json"); err != nil {
		t.Fatalf("seed file rejected: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"dup id", `"id":"synth00001"`, `"id":"synth00000"`, "duplicate id"},
		{"bad split", `"split":"val"`, `"split":"dev"`, `split "dev"`},
		{"bad action", `"action":2`, `"action":99`, "action 99"},
		{"unknown concept", `"shape:square"`, `"shape:blob"`, `concept "shape:blob"`},
	}
	for _, c := range cases {
		// Change the last occurrence: the inventory at the top stays intact.
		k := strings.LastIndex(string(good), c.from)
		if k < 0 {
			t.Fatalf("%s: %q not found in the seed file", c.name, c.from)
		}
		doc := string(good[:k]) + c.to + string(good[k+len(c.from):])
		_, err := ParseGroundTruth([]byte(doc), "gt.json")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := ParseGroundTruth([]byte("{\n  \"clips\": [}"), "gt.json"); err == nil || !strings.Contains(err.Error(), "gt.json: line 2") {
		t.Errorf("syntax error: %v", err)
	}
}
