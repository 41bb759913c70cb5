package videodata

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMapping(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"-4wsuPCjDBc_5_15 vid1\n-7KMZQEsJW4_205_208 vid2\n\n", ""},
		{"a vid1\nb\n", "x.txt:2: 1 fields"},
		{"a vid1\na vid2\n", "x.txt:2: a maps to vid2, and to vid1"},
		{"a vid1\nb vid1\n", "x.txt:2: clip vid1 is also the clip of another video on line 1"},
		{"a ../etc\n", "x.txt:1: clip id \"../etc\""},
		{"a " + strings.Repeat("v", MaxMappingLine) + "\n", "x.txt:1: a line longer than"},
		{"\n\n", "no mapping lines"},
	} {
		m, err := ParseMapping("x.txt", strings.NewReader(tc.in))
		if tc.want == "" {
			if err != nil || m["-4wsuPCjDBc_5_15"] != "vid1" || len(m) != 2 {
				t.Errorf("ParseMapping(%q) = %v, %v", tc.in, m, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseMapping(%q) = %v; want an error with %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseMapping(f *testing.F) {
	f.Add([]byte("-4wsuPCjDBc_5_15 vid1\n-7KMZQEsJW4_205_208 vid2\n"))
	f.Add([]byte("a\tb\r\nc d e\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping("f", bytes.NewReader(data))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for name, id := range m {
			if name == "" || !validID(id) || seen[id] {
				t.Fatalf("accepted %q → %q (ids seen %v)", name, id, seen)
			}
			seen[id] = true
		}
	})
}

func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(`{"decode":{"frames":12,"size":32},"shard":1,"shards":2,"planned":3,"plan_hash":"ab","clips":[{"id":"v1","video":"v1.mp4","frames":"v1.0a.npy"}],"failed":[{"id":"v2","file":"v2.mp4","reason":"x"}]}`))
	f.Add([]byte(`{"decode":{"frames":0,"size":32}}`))
	f.Add([]byte(`{"clips":"no"}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(dir)
		if err != nil {
			if !strings.Contains(err.Error(), ManifestFile) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if m.Decode.Validate() != nil {
			t.Fatalf("accepted decode %+v", m.Decode)
		}
		for _, c := range m.Clips {
			if filepath.Base(c.Frames) != c.Frames || !validID(c.ID) {
				t.Fatalf("accepted clip %+v", c)
			}
		}
	})
}
