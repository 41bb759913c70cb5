package corpus

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every loader of this package has a fuzz target here. Seeds come from
// testdata/; scripts/fuzz.sh runs each target for a bounded time.

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	if len(files) == 0 {
		f.Fatalf("no seed files match testdata/%s", pattern)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadMSVD(f *testing.F) {
	addSeeds(f, "*.tsv")
	f.Add([]byte("vid1\t\nvid2\tx\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewCaptions()
		err := c.ReadMSVD(bytes.NewReader(data), "f.tsv", "train")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.tsv") && !strings.Contains(err.Error(), "reading f.tsv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if c.Lines == 0 || c.NumCaptions() != c.Lines {
			t.Fatalf("accepted %d lines but holds %d captions", c.Lines, c.NumCaptions())
		}
		for _, id := range c.Clips {
			for _, cap := range c.ByClip[id] {
				if strings.TrimSpace(cap) == "" {
					t.Fatalf("empty caption kept for %q", id)
				}
			}
		}
	})
}

func FuzzReadMSRVTT(f *testing.F) {
	addSeeds(f, "*.json")
	f.Add([]byte(`{"sentences": [{"video_id": "a", "caption": "x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewCaptions()
		err := c.ReadMSRVTT(data, "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(c.Clips) == 0 || c.NumCaptions() != c.Lines {
			t.Fatalf("accepted with %d clips, %d captions, %d lines", len(c.Clips), c.NumCaptions(), c.Lines)
		}
	})
}

func FuzzDecodeNPY(f *testing.F) {
	addSeeds(f, "*.npy")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, size := range []int64{int64(len(data)), -1} {
			a, err := DecodeNPY(bytes.NewReader(data), "f.npy", size)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "f.npy") {
					t.Fatalf("error does not name the file: %v", err)
				}
				continue
			}
			if a.Size() != len(a.Data) {
				t.Fatalf("shape %v holds %d values, data has %d", a.Shape, a.Size(), len(a.Data))
			}
			// What was read must encode back and decode to the same values.
			var buf bytes.Buffer
			if err := EncodeNPY(&buf, a.Shape, a.Data, a.DType); err != nil {
				t.Fatal(err)
			}
			b, err := DecodeNPY(&buf, "again.npy", int64(buf.Len()))
			if err != nil {
				t.Fatalf("re-decoding: %v", err)
			}
			if len(b.Data) != len(a.Data) {
				t.Fatalf("round trip changed the size")
			}
		}
	})
}

func FuzzReadVocab(f *testing.F) {
	f.Add([]byte("# neurotopics vocab min_count=2\n<pad>\t0\n<bos>\t0\n<eos>\t0\n<unk>\t0\nred\t5\n"))
	f.Add([]byte("# neurotopics vocab min_count=1\n<pad>\t0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ReadVocab(bytes.NewReader(data), "v.tsv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "v.tsv") && !strings.Contains(err.Error(), "reading v.tsv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i, w := range v.Words {
			if v.ID(w) != i {
				t.Fatalf("word %q at %d maps to %d", w, i, v.ID(w))
			}
		}
	})
}

func FuzzParseIDList(f *testing.F) {
	addSeeds(f, "ids_*.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		ids, err := ParseIDList(bytes.NewReader(data), "ids.txt")
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || seen[id] {
				t.Fatalf("accepted empty or duplicate id %q", id)
			}
			seen[id] = true
		}
	})
}

func FuzzParseLabels(f *testing.F) {
	addSeeds(f, "*.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseLabels(bytes.NewReader(data), "l.csv", "action")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "l.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for id, lab := range m {
			if id == "" || lab == "" {
				t.Fatalf("accepted empty id or label: %q=%q", id, lab)
			}
		}
	})
}

func FuzzReadCaptionsJSON(f *testing.F) {
	addSeeds(f, "*.json")
	f.Add([]byte(`[{"image_id": 42, "caption": "A dog."}, {"video_id": "v7", "caption": "a cat"}]`))
	f.Add([]byte(`{"annotations": [{"image_id": 1, "caption": "x"}]}`))
	f.Add([]byte(`{"a": "one", "b": ["two", "three"], "a": "dup"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, format, err := ReadCaptionsJSON(data, "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if format == "" || len(c.Clips) == 0 || c.NumCaptions() != c.Lines || len(c.Clips) != len(c.ByClip) {
			t.Fatalf("accepted as %q with %d clips, %d captions, %d lines", format, len(c.Clips), c.NumCaptions(), c.Lines)
		}
		for _, id := range c.Clips {
			for _, cap := range c.ByClip[id] {
				if strings.TrimSpace(cap) == "" {
					t.Fatalf("empty caption kept for %q", id)
				}
			}
		}
	})
}
