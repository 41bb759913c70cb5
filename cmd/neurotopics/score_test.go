package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/evalcap"
)

// scoreFiles writes files named as the keys into a temporary folder and
// returns the folder.
func scoreFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	scoreCands = "v1\tA man is slicing a tomato.\nv2\tA dog is playing in the grass!\n"
	scoreRefs  = "v1\tA man's slicing tomatoes!\nv1\tSomeone doesn't cut the TOMATO, right?\n" +
		"v2\tA dog runs on the grass.\nv2\tThe puppy's playing outside\n"
)

// scoreHand is scoreCands and scoreRefs tokenised by hand as coco-caption's
// PTB tokenizer and punctuation removal would.
func scoreHand(t *testing.T) *evalcap.Scores {
	t.Helper()
	s, err := evalcap.Evaluate(map[string][]string{
		"v1": {"a man 's slicing tomatoes", "someone does n't cut the tomato right"},
		"v2": {"a dog runs on the grass", "the puppy 's playing outside"},
	}, map[string]string{"v1": "a man is slicing a tomato", "v2": "a dog is playing in the grass"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScoreCommand(t *testing.T) {
	dir := scoreFiles(t, map[string]string{"cands.tsv": scoreCands, "refs.tsv": scoreRefs})
	cands, refs := filepath.Join(dir, "cands.tsv"), filepath.Join(dir, "refs.tsv")
	want := scoreHand(t)
	perClip := filepath.Join(dir, "per_clip.tsv")
	out, err := run(t, "score", "--captions", cands, "--references", refs, "--per-clip", perClip)
	if err != nil {
		t.Fatalf("score: %v\n%s", err, out)
	}
	for _, frag := range []string{"(MSVD lines): 2 clips", "refs.tsv: 2 clips, 4 captions", "tokenizer   coco", "scored      2 clips", want.Table()} {
		if !strings.Contains(out, frag) {
			t.Errorf("output lacks %q:\n%s", frag, out)
		}
	}
	if strings.Contains(out, "left out") {
		t.Errorf("nothing is left out, yet:\n%s", out)
	}
	b, err := os.ReadFile(perClip)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "clip\tBleu_1\tBleu_2\tBleu_3\tBleu_4\tMETEOR-lite\tROUGE_L\tCIDEr-D\tcaption" ||
		!strings.HasPrefix(lines[1], "v1\t") || !strings.HasSuffix(lines[1], "\ta man is slicing a tomato") {
		t.Errorf("per-clip file:\n%s", b)
	}

	// --json gives the same numbers, exactly.
	out, err = run(t, "score", "--captions", cands, "--references", refs, "--json")
	if err != nil {
		t.Fatalf("score --json: %v\n%s", err, out)
	}
	var rep scoreReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Clips != 2 || rep.CandidateClips != 2 || rep.ReferenceCaptions != 4 || rep.Tokenizer != "coco" || len(rep.WithoutReferences) != 0 {
		t.Errorf("report: %+v", rep)
	}
	for _, m := range evalcap.Metrics() {
		if rep.Scores[m.String()] != want.Get(m) {
			t.Errorf("%v = %v, want %v", m, rep.Scores[m.String()], want.Get(m))
		}
	}
}

// TestScoreFormats: the same captions as JSON results, a JSON map and an
// MSR-VTT file score as the lines do.
func TestScoreFormats(t *testing.T) {
	dir := scoreFiles(t, map[string]string{
		"results.json": `[{"video_id": "v1", "caption": "A man is slicing a tomato."}, {"video_id": "v2", "caption": "A dog is playing in the grass!"}]`,
		"cands.json":   `{"v1": "A man is slicing a tomato.", "v2": "A dog is playing in the grass!"}`,
		"refs.json":    `{"v1": ["A man's slicing tomatoes!", "Someone doesn't cut the TOMATO, right?"], "v2": ["A dog runs on the grass.", "The puppy's playing outside"]}`,
		"refs.tsv":     scoreRefs,
		"videodatainfo.json": `{"videos": [{"video_id": "v1", "split": "test"}, {"video_id": "v2", "split": "test"}], "sentences": [
			{"video_id": "v1", "caption": "A man's slicing tomatoes!"}, {"video_id": "v1", "caption": "Someone doesn't cut the TOMATO, right?"},
			{"video_id": "v2", "caption": "A dog runs on the grass."}, {"video_id": "v2", "caption": "The puppy's playing outside"}]}`,
	})
	want := scoreHand(t).Table()
	for _, tc := range []struct{ cands, refs, format string }{
		{"results.json", "refs.tsv", "coco-style results list"},
		{"cands.json", "refs.json", "JSON map of clip to captions"},
		{"results.json", "videodatainfo.json", "coco-style results list"},
	} {
		out, err := run(t, "score", "--captions", filepath.Join(dir, tc.cands), "--references", filepath.Join(dir, tc.refs))
		if err != nil || !strings.Contains(out, want) || !strings.Contains(out, tc.format) {
			t.Errorf("%s vs %s: %v\n%s", tc.cands, tc.refs, err, out)
		}
	}
}

func TestScoreIntersectionAndTokenizers(t *testing.T) {
	dir := scoreFiles(t, map[string]string{
		"cands.tsv": scoreCands + "v9\ta clip nobody described\n",
		"refs.tsv":  scoreRefs + "v3\ta cat sleeps\nv4\ta bird sings\n",
	})
	cands, refs := filepath.Join(dir, "cands.tsv"), filepath.Join(dir, "refs.tsv")
	_, err := run(t, "score", "--captions", cands, "--references", refs)
	if err == nil || !strings.Contains(err.Error(), `1 of 3 candidate clips of `+cands+` have no references`) ||
		!strings.Contains(err.Error(), `"v9"`) || !strings.Contains(err.Error(), "--intersection") {
		t.Errorf("candidate without references: %v", err)
	}
	out, err := run(t, "score", "--captions", cands, "--references", refs, "--intersection")
	if err != nil {
		t.Fatalf("--intersection: %v\n%s", err, out)
	}
	for _, frag := range []string{"scored      2 clips", `left out    1 candidate clips without references ("v9")`,
		`left out    2 reference clips without a candidate ("v3", "v4")`, scoreHand(t).Table()} {
		if !strings.Contains(out, frag) {
			t.Errorf("--intersection output lacks %q:\n%s", frag, out)
		}
	}

	// --tokenize neurotopics is corpus.Tokenize ("doesn't" → "doesnt").
	out, err = run(t, "score", "--captions", cands, "--references", refs, "--intersection", "--tokenize", "neurotopics")
	if err != nil {
		t.Fatal(err)
	}
	tok := func(s string) string { return strings.Join(corpus.Tokenize(s), " ") }
	want, err := evalcap.Evaluate(map[string][]string{
		"v1": {tok("A man's slicing tomatoes!"), tok("Someone doesn't cut the TOMATO, right?")},
		"v2": {tok("A dog runs on the grass."), tok("The puppy's playing outside")},
	}, map[string]string{"v1": tok("A man is slicing a tomato."), "v2": tok("A dog is playing in the grass!")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, want.Table()) || want.Table() == scoreHand(t).Table() {
		t.Errorf("--tokenize neurotopics: want\n%s\ngot\n%s", want.Table(), out)
	}
}

func TestScoreErrors(t *testing.T) {
	dir := scoreFiles(t, map[string]string{
		"cands.tsv":     scoreCands,
		"refs.tsv":      scoreRefs,
		"dup.tsv":       scoreCands + "v1\tanother caption\n",
		"notab.tsv":     "v1 a caption without a tab\n",
		"bad.json":      "[{\"video_id\": \"v1\",\n \"caption\": 7}]",
		"dots.tsv":      scoreRefs + "v2\t...\n",
		"elsewhere.tsv": "x1\ta caption\n",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"score"}, "--captions and --references are required"},
		{[]string{"score", "--captions", p("cands.tsv")}, "--captions and --references are required"},
		{[]string{"score", "--captions", p("cands.tsv"), "--references", p("refs.tsv"), "--tokenize", "bpe"}, `--tokenize "bpe": expected coco, neurotopics or none`},
		{[]string{"score", "--captions", p("missing.tsv"), "--references", p("refs.tsv")}, "missing.tsv"},
		{[]string{"score", "--captions", p("dup.tsv"), "--references", p("refs.tsv")}, `dup.tsv: clip "v1" has 2 captions`},
		{[]string{"score", "--captions", p("notab.tsv"), "--references", p("refs.tsv")}, "notab.tsv:1: expected `clipID<TAB>caption`, found no tab"},
		{[]string{"score", "--captions", p("cands.tsv"), "--references", p("bad.json")}, `bad.json: [0] (v1): field "caption": expected string, found 7`},
		{[]string{"score", "--captions", p("cands.tsv"), "--references", p("dots.tsv")}, `dots.tsv: clip "v2", reference 2 ("...") has no words once tokenised`},
		{[]string{"score", "--captions", p("cands.tsv"), "--references", p("elsewhere.tsv"), "--intersection"}, "no clip of " + p("cands.tsv") + " has references"},
		{[]string{"score", "--captions", p("cands.tsv"), "--references", p("refs.tsv") + "," + p("refs.tsv")}, "--references " + p("refs.tsv") + " is given twice"},
		{[]string{"score", "--captions", p("cands.tsv"), "--references", p("refs.tsv"), "--per-clip", filepath.Join(p("cands.tsv"), "x.tsv")}, "score: --per-clip: writing"},
	}
	for _, tc := range cases {
		out, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q\n%s", tc.args[1:], err, tc.want, out)
		}
		if err != nil && strings.Count(err.Error(), "score:") > 1 {
			t.Errorf("%v: the command's name repeats: %v", tc.args[1:], err)
		}
	}
}

func TestScoreHelp(t *testing.T) {
	out, err := run(t, "score", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"Flags:", "Examples:", "--intersection", "--tokenize", "coco-style results", "videodatainfo.json", `"do n't"`} {
		if !strings.Contains(out, frag) {
			t.Errorf("score --help lacks %q:\n%s", frag, out)
		}
	}
}
