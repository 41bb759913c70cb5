package corpus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/internal/shareddata"
)

func TestLoadMSVDShared(t *testing.T) {
	msvdDir, ok := shareddata.MSVDDir()
	if !ok {
		t.Skipf("MSVD captions not found (they live outside the repository; set %s to their folder)", shareddata.MSVDEnv)
	}
	c, err := LoadCaptions(msvdDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clips) != 1970 || c.Lines != 85117 || c.NumCaptions() != 85117 {
		t.Errorf("got %d clips, %d lines, %d captions; want 1970, 85117, 85117", len(c.Clips), c.Lines, c.NumCaptions())
	}
	found := false
	for _, w := range c.Warnings {
		if strings.Contains(w, `split "val": 100 of its 100 clips also appear in`) &&
			strings.Contains(w, "train (76)") && strings.Contains(w, "test (24)") {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning about the 100 val clips overlapping train (76) and test (24); warnings: %q", c.Warnings)
	}
	// Train ∪ test is the disjoint split covering every clip.
	tr, te := c.Splits["train"], c.Splits["test"]
	j := Join(Source{"train", tr}, Source{"test", te})
	if len(j.Clips) != 0 || len(tr)+len(te) != 1970 || j.Union != 1970 {
		t.Errorf("train (%d) and test (%d) overlap in %d clips; union %d", len(tr), len(te), len(j.Clips), j.Union)
	}
	s := ComputeStats(c, 3)
	if s.Clips != 1970 || s.Captions != 85117 || s.VocabSize < 1000 {
		t.Errorf("stats: %+v", s)
	}
}

func TestReadMSVD(t *testing.T) {
	c, err := LoadCaptions("testdata/msvd_small.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clips) != 2 || len(c.ByClip["vid1"]) != 2 || c.Splits["small"] == nil {
		t.Errorf("got %+v", c)
	}
	cases := []struct{ name, text, want string }{
		{"no tab", "vid1\ta dog\nvid2 a cat\n", "x.tsv:2: expected `clipID<TAB>caption`, found no tab"},
		{"empty id", "\ta dog\n", "x.tsv:1: expected a clip id"},
		{"empty caption", "vid1\t  \n", "x.tsv:1: expected a caption after the tab of clip \"vid1\""},
		{"spaces in id", "vid 1\ta dog\n", "x.tsv:1: expected a clip id without spaces"},
		{"bad utf8", "vid1\ta d\xffog\n", "x.tsv:1: invalid UTF-8"},
		{"empty", "", "x.tsv: no caption lines (empty file)"},
		{"blank only", "\n\n", "no caption lines"},
	}
	for _, tc := range cases {
		err := NewCaptions().ReadMSVD(strings.NewReader(tc.text), "x.tsv", "train")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	c = NewCaptions()
	if err := c.ReadMSVD(strings.NewReader("vid1\ta dog\r\n\nvid1\ta cat\r\n"), "x.tsv", "train"); err != nil {
		t.Fatal(err)
	}
	if c.Lines != 2 || c.ByClip["vid1"][0] != "a dog" || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "skipped 1 blank lines") {
		t.Errorf("CRLF/blank handling: %+v", c)
	}
}

func TestLoadCaptionsErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCaptions(); err == nil {
		t.Error("no paths accepted")
	}
	if _, err := LoadCaptions(dir); err == nil || !strings.Contains(err.Error(), "no videodatainfo.json") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := LoadCaptions(filepath.Join(dir, "nope.tsv")); err == nil || !strings.Contains(err.Error(), "nope.tsv") {
		t.Errorf("missing file: %v", err)
	}
}

// TestMSRVTTTooLarge: a file over the limit is refused from its size, not
// read (a sparse file costs no disk).
func TestMSRVTTTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "videodatainfo.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxMSRVTTBytes + 1); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = LoadCaptions(path)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "at most 1024 MiB (corpus.MaxMSRVTTBytes") {
		t.Errorf("a 1 GiB + 1 byte videodatainfo.json: %v", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Errorf("refusing it allocated %d bytes", grown)
	}
}

func TestReadMSRVTT(t *testing.T) {
	c, err := LoadCaptions("testdata/videodatainfo_small.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clips) != 2 || c.Category["video1"] != 16 || len(c.Splits["val"]) != 1 || len(c.ByClip["video1"]) != 2 {
		t.Errorf("got %+v", c)
	}
	cases := []struct{ name, doc, want string }{
		{"empty", "", "x.json: empty file"},
		{"syntax", "{\"videos\": [\n{\"video_id\": }]}", "x.json: line 2, column 14: invalid JSON"},
		{"not object", "[1,2]", "expected an object"},
		{"no sentences", `{"videos": []}`, `missing field "sentences"`},
		{"empty sentences", `{"videos": [], "sentences": []}`, "empty corpus"},
		{"missing video_id", `{"sentences": [{"caption": "a"}]}`, `sentences[0]: missing field "video_id"`},
		{"missing caption", `{"sentences": [{"video_id": "v"}]}`, `sentences[0] (v): missing field "caption"`},
		{"caption type", `{"sentences": [{"video_id": "v", "caption": 3}]}`, `field "caption": expected string, found 3`},
		{"dup video", `{"videos": [{"video_id": "a"}, {"video_id": "a"}], "sentences": [{"video_id": "a", "caption": "x"}]}`, `videos[1]: duplicate video_id "a" (first at videos[0])`},
		{"unknown video", `{"videos": [{"video_id": "a"}], "sentences": [{"video_id": "b", "caption": "x"}]}`, `video_id "b" is not listed`},
		{"category type", `{"videos": [{"video_id": "a", "category": "x"}], "sentences": [{"video_id": "a", "caption": "x"}]}`, `field "category": expected int`},
		{"bad utf8", "{\"sentences\": [\n{\"video_id\": \"a\", \"caption\": \"a d\xffog\"}]}", "x.json:2: invalid UTF-8 text (byte 49)"},
	}
	for _, tc := range cases {
		err := NewCaptions().ReadMSRVTT([]byte(tc.doc), "x.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestMSRVTTRoundTrip(t *testing.T) {
	cat := 3
	info := &VideoDataInfo{
		Videos:    []VideoInfo{{VideoID: "s0", ID: 0, Category: &cat, Split: "test"}},
		Sentences: []Sentence{{VideoID: "s0", Caption: "a <b> & c", SenID: 0}},
	}
	p := filepath.Join(t.TempDir(), "videodatainfo.json")
	if err := WriteMSRVTT(p, info); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCaptions(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	if c.ByClip["s0"][0] != "a <b> & c" || c.Category["s0"] != 3 || c.Splits["test"][0] != "s0" {
		t.Errorf("round trip: %+v", c)
	}
}

func TestJSONKind(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{[]map[string]json.RawMessage{}, "a list of objects"},
		{map[string]int{}, "an object"},
		{[][]float32{}, "a list of lists of numbers"},
		{[]string{}, "a list of strings"},
		{json.RawMessage{}, "a value"},
		{[]byte{}, "a base64 string"},
		{0, "an integer"},
		{true, "true or false"},
		{new(float64), "a number"},
	} {
		if got := JSONKind(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("JSONKind(%T) = %q; want %q", tc.v, got, tc.want)
		}
	}
	err := NewCaptions().ReadMSRVTT([]byte(`{"videos": 3, "sentences": []}`), "x.json")
	if err == nil || !strings.Contains(err.Error(), `x.json: line 1: field "videos": expected a list of objects, found JSON number`) {
		t.Errorf("a number for videos: %v", err)
	}
}
