package corpus

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFeaturesFolder(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "testdata/feat_f4_2x3.npy", filepath.Join(dir, "vid1.npy"))
	copyFile(t, "testdata/feat_f2_2x3.npy", filepath.Join(dir, "vid2.npy"))
	f, err := LoadFeatures(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.IDs, []string{"vid1", "vid2"}) || f.Dim != 3 || f.NumFrames[1] != 2 || f.Clip("vid2")[5] != 1.25 || f.Index("x") != -1 {
		t.Errorf("got %+v", f)
	}
	// Bad files in the folder are named.
	bad := []struct{ src, want string }{
		{"feat_nan_2x3.npy", "NaN at index [1 2]"},
		{"feat_f8_2x3.npy", `unsupported dtype "<f8"`},
		{"stack_f4_2x2x3.npy", "rank 3, shape [2 2 3]; expected rank 2 [frames, dim]"},
		{"frames_u1_1x2x2x2x3.npy", `features have dtype "|u1"`},
	}
	for _, b := range bad {
		d := t.TempDir()
		copyFile(t, "testdata/feat_f4_2x3.npy", filepath.Join(d, "a.npy"))
		copyFile(t, filepath.Join("testdata", b.src), filepath.Join(d, "b.npy"))
		_, err := LoadFeatures(d, "")
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "b.npy") {
			t.Errorf("%s: got %v, want %q naming b.npy", b.src, err, b.want)
		}
	}
	d := t.TempDir()
	if err := WriteNPY(filepath.Join(d, "a.npy"), []int{1, 3}, []float32{1, 2, 3}, DTypeFloat32); err != nil {
		t.Fatal(err)
	}
	if err := WriteNPY(filepath.Join(d, "b.npy"), []int{1, 4}, []float32{1, 2, 3, 4}, DTypeFloat32); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFeatures(d, ""); err == nil || !strings.Contains(err.Error(), "same dim") {
		t.Errorf("mixed dims: %v", err)
	}
	if _, err := LoadFeatures(t.TempDir(), ""); err == nil || !strings.Contains(err.Error(), "no .npy files") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestLoadFeaturesStacked(t *testing.T) {
	f, err := LoadFeatures("testdata/stack_f4_2x2x3.npy", "testdata/ids_small.txt")
	if err != nil {
		t.Fatal(err)
	}
	if f.Dim != 3 || f.Clip("vid2")[0] != 6 || len(f.Clip("vid1")) != 6 {
		t.Errorf("got %+v", f)
	}
	if _, err := LoadFeatures("testdata/stack_f4_2x2x3.npy", ""); err == nil || !strings.Contains(err.Error(), "id list") {
		t.Errorf("no ids: %v", err)
	}
	if _, err := LoadFeatures("testdata/feat_f4_2x3.npy", "testdata/ids_small.txt"); err == nil || !strings.Contains(err.Error(), "expected rank 3") {
		t.Errorf("rank 2 stacked: %v", err)
	}
	ids := filepath.Join(t.TempDir(), "ids.txt")
	os.WriteFile(ids, []byte("a\nb\nc\n"), 0o644)
	if _, err := LoadFeatures("testdata/stack_f4_2x2x3.npy", ids); err == nil || !strings.Contains(err.Error(), "2 rows (clips) but the id list has 3 ids") {
		t.Errorf("count mismatch: %v", err)
	}
}

func TestParseIDList(t *testing.T) {
	cases := []struct{ text, want string }{
		{"a\nb\na\n", "x.txt:3: duplicate clip id \"a\" (first at line 1)"},
		{"a\n\nb\n", "x.txt:2: blank line"},
		{"a b\n", "x.txt:1: expected one clip id"},
		{"", "no clip ids"},
	}
	for _, c := range cases {
		_, err := ParseIDList(strings.NewReader(c.text), "x.txt")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.text, err, c.want)
		}
	}
	ids, err := ParseIDList(strings.NewReader("a\r\nb\n\n"), "x.txt")
	if err != nil || !reflect.DeepEqual(ids, []string{"a", "b"}) {
		t.Errorf("got %q %v", ids, err)
	}
}

func TestLoadFrames(t *testing.T) {
	ids := filepath.Join(t.TempDir(), "ids.txt")
	os.WriteFile(ids, []byte("c0\n"), 0o644)
	f, err := LoadFrames("testdata/frames_u1_1x2x2x2x3.npy", ids)
	if err != nil {
		t.Fatal(err)
	}
	if f.T != 2 || f.Height != 2 || f.ClipSize() != 24 || f.Clip(0)[23] != 230.0/255 {
		t.Errorf("got %+v", f)
	}
	if _, err := LoadFrames("testdata/stack_f4_2x2x3.npy", ids); err == nil || !strings.Contains(err.Error(), "expected [clips, T, H, W, 3]") {
		t.Errorf("rank: %v", err)
	}
}

// TestLongLinesNamed: a line over the 1 MiB limit is an error naming the
// file, the line and the limit, in every line-based loader.
func TestLongLinesNamed(t *testing.T) {
	long := strings.Repeat("x", 2<<20)
	_, err := ParseIDList(strings.NewReader("vid1\n"+long+"\n"), "ids.txt")
	if err == nil || !strings.Contains(err.Error(), "ids.txt:2: line longer than 1 MiB") {
		t.Errorf("id list: %v", err)
	}
	_, err = ReadVocab(strings.NewReader("# neurotopics vocab min_count=1\n"+long+"\n"), "vocab.txt")
	if err == nil || !strings.Contains(err.Error(), "vocab.txt:2: line longer than 1 MiB") {
		t.Errorf("vocabulary: %v", err)
	}
	err = NewCaptions().ReadMSVD(strings.NewReader("vid1\ta dog\nvid2\t"+long+"\n"), "x.tsv", "train")
	if err == nil || !strings.Contains(err.Error(), "x.tsv:2: line longer than 1 MiB") {
		t.Errorf("MSVD: %v", err)
	}
	if err != nil && len(err.Error()) > 200 {
		t.Errorf("the error echoes the line: %d bytes", len(err.Error()))
	}
}

// TestHugeFieldNotEchoed: a 500 KB field of a labels CSV gives an error of a
// readable size that still names the file and the line; a 50 MB field is
// refused at the line limit, with the line.
func TestHugeFieldNotEchoed(t *testing.T) {
	long, huge := strings.Repeat("x", 500<<10), strings.Repeat("x", 50<<20)
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"header", "clip_id," + long + "\nvid1,a\n", "labels.csv:1: no column"},
		{"duplicate id", "clip_id,category\n" + long + ",a\n" + long + ",b\n", "labels.csv:3: duplicate clip id"},
		{"empty label", "clip_id,category\n" + long + ",\n", "labels.csv:2: clip"},
		{"50 MB field", "clip_id,category\n" + huge + ",a\n", "labels.csv: line 2 longer than 1 MiB (corpus.MaxLineBytes)"},
	} {
		_, err := ParseLabels(strings.NewReader(tc.csv), "labels.csv", "category")
		if err == nil || !strings.Contains(err.Error(), tc.want) || len(err.Error()) > 400 {
			msg := "<nil>"
			if err != nil {
				msg = Short(err.Error())
			}
			t.Errorf("%s: %d bytes: %s; want ≤ 400 bytes with %q", tc.name, len(msg), msg, tc.want)
		}
	}
}
