package corpus

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadCaptionsJSON(t *testing.T) {
	cases := []struct {
		name, doc, format string
		want              map[string][]string
	}{
		{"coco results", `[{"image_id": 42, "caption": "A dog."}, {"image_id": "v7", "caption": " a cat "}]`,
			FormatCocoResults, map[string][]string{"42": {"A dog."}, "v7": {"a cat"}}},
		{"video_id", `[{"video_id": "video1", "caption": "x"}, {"video_id": "video1", "caption": "y"}]`,
			FormatCocoResults, map[string][]string{"video1": {"x", "y"}}},
		{"annotations", `{"info": {}, "annotations": [{"image_id": 1, "id": 5, "caption": "x"}]}`,
			FormatCocoAnnots, map[string][]string{"1": {"x"}}},
		{"map of strings", `{"a": "one", "b": "two"}`, FormatCaptionMap, map[string][]string{"a": {"one"}, "b": {"two"}}},
		{"map of lists", `{"a": ["one", "two"], "b": "three"}`, FormatCaptionMap, map[string][]string{"a": {"one", "two"}, "b": {"three"}}},
		{"msr-vtt", `{"videos": [{"video_id": "v0", "split": "test"}], "sentences": [{"video_id": "v0", "caption": "x", "sen_id": 0}]}`,
			FormatMSRVTT, map[string][]string{"v0": {"x"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, format, err := ReadCaptionsJSON([]byte(tc.doc), "f.json")
			if err != nil {
				t.Fatal(err)
			}
			if format != tc.format || !reflect.DeepEqual(c.ByClip, tc.want) || c.Lines != c.NumCaptions() {
				t.Errorf("got %s %v (%d lines), want %s %v", format, c.ByClip, c.Lines, tc.format, tc.want)
			}
		})
	}
}

func TestReadCaptionsJSONErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"empty", "  ", "f.json: empty file"},
		{"not json", "clip\tcaption", `f.json: line 1, column 1: invalid JSON`},
		{"syntax", "[{\"image_id\": 1,\n \"caption\": }]", "f.json: line 2, column 13: invalid JSON"},
		{"scalar", `"a caption"`, "f.json: expected a JSON list or object"},
		{"empty list", `[]`, "f.json: empty list"},
		{"not an object", `[1]`, `f.json: [0]: expected an object {"image_id" or "video_id", "caption"}, found 1`},
		{"no id", `[{"caption": "x"}]`, `f.json: [0]: missing field "image_id" (or "video_id")`},
		{"both ids", `[{"image_id": 1, "video_id": "a", "caption": "x"}]`, `has both "image_id" and "video_id"`},
		{"bad id", `[{"image_id": [1], "caption": "x"}]`, `f.json: [0]: field "image_id": expected a string or a number, found [1]`},
		{"empty id", `[{"video_id": " ", "caption": "x"}]`, `field "video_id" is empty`},
		{"no caption", `[{"image_id": 1}]`, `f.json: [0] (1): missing field "caption"`},
		{"caption type", `[{"image_id": 1, "caption": 3}]`, `f.json: [0] (1): field "caption": expected string, found 3`},
		{"empty caption", `[{"image_id": 1, "caption": "  "}]`, `f.json: [0] (1): field "caption" is empty`},
		{"annotations type", `{"annotations": {}}`, `f.json: field "annotations": expected a list`},
		{"annotations entry", `{"annotations": [{"image_id": 1}]}`, `f.json: annotations[0] (1): missing field "caption"`},
		{"duplicate key", `{"a": "x", "b": "y", "a": "z"}`, `f.json: key "a" appears twice`},
		{"map value", `{"a": 12}`, `f.json: key "a": expected a caption (a string) or a list of captions, found 12`},
		{"map list", `{"a": []}`, `f.json: key "a": expected at least one caption, found an empty list`},
		{"map empty caption", `{"a": ["x", ""]}`, `f.json: key "a", caption 1: expected a caption, found an empty string`},
		{"empty key", `{"": "x"}`, `f.json: key "": expected a clip id`},
		{"empty map", `{}`, `f.json: empty object (no clips)`},
		{"msr-vtt", `{"sentences": []}`, `f.json: "sentences" is empty`},
		{"utf-8", "[{\"image_id\": 1,\n\"caption\": \"\xff\"}]", "f.json:2: invalid UTF-8"},
		{"trailing data", `{"a": "x"} {"b": "y"}`, "f.json: line 1, column 12: invalid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadCaptionsJSON([]byte(tc.doc), "f.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestLoadCaptionFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tsv := write("cands.tsv", "v1\tA man.\nv2\ta dog\nv1\tagain\n")
	c, format, err := LoadCaptionFile(tsv)
	if err != nil || format != FormatMSVD || len(c.ByClip["v1"]) != 2 || !reflect.DeepEqual(c.Clips, []string{"v1", "v2"}) {
		t.Errorf("tsv: %v %q %+v", err, format, c)
	}
	js := write("res.json", `[{"image_id": 3, "caption": "x"}]`)
	if c, format, err := LoadCaptionFile(js); err != nil || format != FormatCocoResults || !reflect.DeepEqual(c.Files, []string{js}) {
		t.Errorf("json: %v %q %+v", err, format, c)
	}
	if c, format, err := LoadCaptionFile(filepath.Join("testdata", "videodatainfo_small.json")); err != nil || format != FormatMSRVTT || len(c.Clips) != 2 {
		t.Errorf("videodatainfo: %v %q %+v", err, format, c)
	}
	sub := filepath.Join(dir, "msvd")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "refs_test.tsv"), []byte("v1\tx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, format, err := LoadCaptionFile(sub); err != nil || format != FormatMSVD || len(c.Clips) != 1 {
		t.Errorf("folder: %v %q %+v", err, format, c)
	}
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.tsv"), "missing.tsv"},
		{write("bad.tsv", "v1 no tab\n"), "bad.tsv:1: expected `clipID<TAB>caption`"},
		{write("bad.json", `{"a": 1}`), `bad.json: key "a"`},
		{write("text.json", "v1\tcaption\n"), "text.json: starts with byte"},
	} {
		if _, _, err := LoadCaptionFile(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadCaptionFile(%s) error = %v, want %q", tc.path, err, tc.want)
		}
	}
}
