package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/revise"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/topics"
)

// badInputData are the synthetic-corpus flags of the bad-input tests: a
// corpus small enough that a model trains on it in seconds.
var badInputData = []string{"--synth-train", "30", "--synth-val", "5", "--synth-test", "5", "--frame-fit-frames", "50"}

// TestBadInputThroughTheCLI feeds the CLI the malformed files and flags a
// careless user gives it (the cases of the hardening issue, one row each)
// and checks that each is refused with a message that names the file, line
// or key, what was expected and what was found, cut to a readable length.
func TestBadInputThroughTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small model (≈ 30 s)")
	}
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	data := append([]string{"--cache", cache}, badInputData...)
	synth := append([]string{"--quiet"}, data...)
	model := filepath.Join(dir, "model")
	if out, err := run(t, append([]string{"train", "--out", model, "--set",
		"train_steps=2;eval_every=0;semantic_units=32;encoder_dim=8;decoder_dim=8;batch_size=8"}, synth...)...); err != nil {
		t.Fatalf("training the test model: %v\n%s", err, out)
	}
	ckpt := onlyCheckpoint(t, model)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sparse := func(name string, prefix []byte, size int64) string {
		p := write(name, string(prefix))
		if err := os.Truncate(p, size); err != nil {
			t.Skipf("no sparse files here: %v", err)
		}
		return p
	}
	devZero := func(name string) string { return linkDevZero(t, filepath.Join(dir, name)) }
	huge := strings.Repeat("x", 50<<20) // a 50 MB field or line

	// Real data: ten captioned clips in three splits; features for all, and
	// for the first five only.
	var targets strings.Builder
	targets.WriteString("clip_id,a,b\n")
	split := map[string]string{}
	for i := range 10 {
		name := map[bool]string{true: "train.tsv", false: map[bool]string{true: "val.tsv", false: "test.tsv"}[i < 8]}[i < 6]
		split[name] += fmt.Sprintf("c%d\ta man is cooking food\nc%d\tsomeone cooks\n", i, i)
		fmt.Fprintf(&targets, "c%d,1,0\n", i)
	}
	for name, text := range split {
		write(filepath.Join("real", "caps", name), text)
	}
	capsFile, targetsFile := filepath.Join(dir, "real", "caps"), write("real/targets.csv", targets.String())
	writeFeatures := func(name string, n int) string {
		d := filepath.Join(dir, "real", name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := corpus.WriteNPY(filepath.Join(d, fmt.Sprintf("c%d.npy", i)), []int{2, 4}, make([]float32, 8), corpus.DTypeFloat32); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	feats, half := writeFeatures("feats", 10), writeFeatures("half", 5)
	realArgs := func(args ...string) []string {
		return append([]string{"train", "--quiet", "--captions", capsFile, "--targets", targetsFile, "--out", filepath.Join(dir, "real-model")}, args...)
	}

	forged := rewriteCheckpoint(t, ckpt, filepath.Join(dir, "forged", "ckpt-000000002.ntc"), func(h map[string]any, data []byte) {
		v := checkpointVariable(t, h, "/semantic/weights")
		dims := v["dims"].([]any)
		dims[0], dims[1] = dims[1], dims[0]
	})
	nan := rewriteCheckpoint(t, ckpt, filepath.Join(dir, "nan", "ckpt-000000002.ntc"), func(h map[string]any, data []byte) {
		v := checkpointVariable(t, h, "/semantic/weights")
		off := int64(v["offset"].(float64))
		binary.LittleEndian.PutUint32(data[off+4:], math.Float32bits(float32(math.NaN())))
	})
	revisions := func(name, request string, step int) string {
		return write(name, fmt.Sprintf(`{"version": 1, "step": %d, "revisions": [{"clip": "synth00030", "request": %s,
			"edits": [], "before": "a", "after": "b", "beam": 1}]}`, step, request))
	}
	units := write("units/units.json", "")
	if out, err := run(t, append([]string{"interpret", "--checkpoint", model, "--out", filepath.Join(dir, "interp")}, synth...)...); err != nil {
		t.Fatalf("interpreting the test model: %v\n%s", err, out)
	}
	mislabelUnits(t, filepath.Join(dir, "interp", "units.json"), units)

	cases := []struct {
		name string
		args []string
		want []string
	}{
		// Unbounded reads.
		{"1 GiB videodatainfo.json", []string{"corpus", "stats", sparse("big/videodatainfo.json", []byte("{"), corpus.MaxMSRVTTBytes+1)},
			[]string{"videodatainfo.json", "1024 MiB", "corpus.MaxMSRVTTBytes"}},
		{"/dev/zero as videodatainfo.json", []string{"corpus", "stats", devZero("zero/videodatainfo.json")},
			[]string{"videodatainfo.json: starts with byte 0x00", "expected an MSR-VTT videodatainfo.json"}},
		{"/dev/zero as captions", []string{"corpus", "stats", devZero("zero.tsv")}, []string{"zero.tsv:1", "line longer than 1 MiB"}},
		{"sparse 4 GiB .npy", realArgs("--features", sparse("big.npy", corpus.NPYHeader([]int{1<<20 + 1, 1 << 10}, corpus.DTypeFloat32), 4<<30+8192),
			"--ids", write("ids.txt", "c0\n")), []string{"big.npy", "corpus.MaxNPYElements"}},
		{"semantic_units=1000000000", append([]string{"train", "--out", filepath.Join(dir, "m2"), "--set", "semantic_units=1000000000"}, synth...),
			[]string{"semantic_units = 1000000000", "expected ≤ 16384", "captioner.MaxParams"}},
		{"max_words=100000000", append([]string{"train", "--out", filepath.Join(dir, "m2"), "--set", "max_words=100000000"}, synth...),
			[]string{"max_words = 100000000", "expected ≤ 1000"}},
		// Silent drops.
		{"half the clips without features", realArgs("--features", half), []string{"5 of 10 captioned clips have no features", "c5", "--max-missing"}},
		{"MSR-VTT invalid UTF-8", []string{"corpus", "stats", write("utf8/videodatainfo.json",
			"{\"videos\": [{\"video_id\": \"v1\"}],\n\"sentences\": [{\"video_id\": \"v1\", \"caption\": \"a \xff man\"}]}")},
			[]string{"videodatainfo.json:2", "invalid UTF-8"}},
		// Errors that say what to do.
		{"50 MB CSV field", realArgs("--features", feats, "--targets", write("huge.csv", "clip_id,a\n"+huge+",1\n")),
			[]string{"huge.csv"}},
		{"50 MB id-list line", realArgs("--features", write("one.npy", ""), "--ids", write("hugeids.txt", huge+"\n")),
			[]string{"hugeids.txt:1", "line longer than 1 MiB"}},
		{"forged checkpoint shape", append([]string{"caption", "--model", forged, "--limit", "1"}, data...),
			[]string{forged, "variable /semantic/weights has shape", "call for", "semantic_units=32"}},
		{"unit -1", append([]string{"revise", "--model", model, "--clip", "synth00030", "--suppress", "-1"}, data...),
			[]string{"unit -1 does not exist: units are numbered from 0"}},
		{"JSON of the wrong type", []string{"corpus", "stats", write("type/videodatainfo.json", `{"videos": 5, "sentences": []}`)},
			[]string{"videodatainfo.json", `"videos"`, "expected a list of objects", "found JSON number"}},
		// Accepted nonsense.
		{"NaN weight", append([]string{"caption", "--model", nan, "--limit", "1"}, data...),
			[]string{nan, "variable /semantic/weights: element 1", "NaN or infinite", "earlier checkpoint"}},
		{"revision of an unknown unit", append([]string{"revise", "--model", model, "--replay", revisions("r1.json", `{"suppress": [99999]}`, 2)}, data...),
			[]string{"unit 99999 does not exist: the semantic layer has units 0..31"}},
		{"revision of an unknown topic", append([]string{"revise", "--model", model, "--replay", revisions("r2.json", `{"none": ["colour:mauve"]}`, 2)}, data...),
			[]string{"colour:mauve"}},
		{"revision from a step far beyond", append([]string{"revise", "--model", model, "--replay", revisions("r3.json", `{"suppress": [1]}`, 1<<40)}, data...),
			[]string{"r3.json", "training step 1099511627776", "at step 2", "--model"}},
		{"units.json label against its index", append([]string{"revise", "--model", model, "--clip", "synth00030", "--units", units, "--suppress", "1"}, data...),
			[]string{"units.json", "disagrees with its label_index"}},
		{"unknown --topic-words key", append([]string{"interpret", "--checkpoint", model, "--out", filepath.Join(dir, "i2"),
			"--topic-words", write("tw.json", `{"topic 99": ["x"]}`)}, synth...), []string{`key "topic 99" is not a target of the model`}},
		{"unknown --topic-concepts concept", append([]string{"interpret", "--checkpoint", model, "--out", filepath.Join(dir, "i3"),
			"--topic-concepts", write("tc.json", `{"shape:circle": ["shape:hexagon"]}`)}, synth...), []string{`maps to "shape:hexagon", which is not a concept`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(t, c.args...)
			if err == nil {
				t.Fatalf("accepted; want an error\n%s", tail(out, 400))
			}
			msg := err.Error()
			t.Log(msg)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", tail(msg, 600), w)
				}
			}
			if len(msg) > 600 {
				t.Errorf("error of %d bytes: %q", len(msg), tail(msg, 300))
			}
			for _, internal := range []string{"panic", "goroutine", "[]map[string]", "bufio.Scanner", "requested to reuse variable", "9223372036854775806"} {
				if strings.Contains(msg, internal) {
					t.Errorf("error shows Go internals (%q): %q", internal, tail(msg, 300))
				}
			}
		})
	}
}

// linkDevZero makes path (and its folder) a symbolic link to /dev/zero: an
// endless file under the name a loader expects.
func linkDevZero(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", path); err != nil {
		t.Fatal(err)
	}
	return path
}

// onlyCheckpoint returns the one checkpoint file of a folder.
func onlyCheckpoint(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.ntc"))
	if err != nil || len(m) != 1 {
		t.Fatalf("checkpoints in %s: %v %v", dir, m, err)
	}
	return m[0]
}

// rewriteCheckpoint writes to dst the checkpoint src with its header (as
// JSON) and data section changed by edit, and a valid checksum: a forged
// file that only the checks after the checksum can refuse.
func rewriteCheckpoint(t *testing.T, src, dst string, edit func(h map[string]any, data []byte)) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	hlen := binary.LittleEndian.Uint64(raw[8:16])
	var h map[string]any
	if err := json.Unmarshal(raw[16:16+hlen], &h); err != nil {
		t.Fatal(err)
	}
	data := bytes.Clone(raw[16+hlen : len(raw)-4])
	edit(h, data)
	header, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(raw[:8])
	b.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(header))))
	b.Write(header)
	b.Write(data)
	b.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(b.Bytes())))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// checkpointVariable returns the header entry of the variable at path.
func checkpointVariable(t *testing.T, h map[string]any, path string) map[string]any {
	t.Helper()
	for _, v := range h["variables"].([]any) {
		if m := v.(map[string]any); m["path"] == path {
			return m
		}
	}
	t.Fatalf("no variable %s in the checkpoint", path)
	return nil
}

// mislabelUnits copies a units.json, giving its first labelled unit the
// label of another target while keeping its label_index.
func mislabelUnits(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	units, _ := doc["units"].([]any)
	for _, u := range units {
		m := u.(map[string]any)
		if idx, _ := m["label_index"].(float64); idx >= 0 && m["label"] != "" {
			m["label"] = "shape:circle"
			if m["label_index"].(float64) == 0 {
				m["label"] = "shape:square"
			}
			out, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, out, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s has no labelled unit", src)
}

// tail returns at most n bytes of the end of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// TestEndlessFilesRefused: every loader of a file a user can name, given an
// endless input (/dev/zero under the expected name), refuses it from its
// first bytes with the file's name, instead of reading until memory runs out.
func TestEndlessFilesRefused(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	zero := func(name string) string { return linkDevZero(t, filepath.Join(dir, name)) }
	for _, c := range []struct {
		name string
		load func(path string) error
		want string
	}{
		{"ckpt-000000001.ntc", func(p string) error { _, err := captioner.Load(nil, p); return err }, "not a neurotopics checkpoint"},
		{"revisions.json", func(p string) error { _, err := revise.LoadFile(p); return err }, "starts with byte 0x00"},
		{"units.json", func(p string) error { _, err := revise.LoadInterpretation(p); return err }, "starts with byte 0x00"},
		{"concept_topics.json", func(p string) error { _, err := revise.LoadConceptTopics(p); return err }, "starts with byte 0x00"},
		{"groundtruth.json", func(p string) error { _, _, err := dataset.ReadGroundTruth(p); return err }, "starts with byte 0x00"},
		{"synth/groundtruth.json", func(p string) error { _, err := synth.ReadGroundTruth(p); return err }, "starts with byte 0x00"},
		{"encoder.json", func(p string) error { _, err := framenc.Load(p); return err }, "starts with byte 0x00"},
		{"section.json", func(p string) error { _, err := report.LoadSection(p); return err }, "starts with byte 0x00"},
		{"topics/" + topics.ModelFile, func(p string) error { _, err := topics.Load(filepath.Dir(p)); return err }, "starts with byte 0x00"},
	} {
		done := make(chan error, 1)
		path := zero(c.name)
		go func() { done <- c.load(path) }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s: %v; want an error naming the file with %q", c.name, err, c.want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: still reading /dev/zero after 20 s", c.name)
		}
	}
}
