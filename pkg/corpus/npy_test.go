package corpus

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestReadNPYFromNumPy(t *testing.T) {
	// Files written by numpy.save (see testdata/); values are arange/4.
	want := []float32{0, 0.25, 0.5, 0.75, 1, 1.25}
	for _, name := range []string{"feat_f4_2x3.npy", "feat_f2_2x3.npy"} {
		a, err := ReadNPY(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(a.Shape, []int{2, 3}) || !reflect.DeepEqual(a.Data, want) {
			t.Errorf("%s: got shape %v data %v", name, a.Shape, a.Data)
		}
	}
	a, err := ReadNPY("testdata/frames_u1_1x2x2x2x3.npy")
	if err != nil || a.DType != DTypeUint8 || a.Data[23] != 230 || len(a.Shape) != 5 {
		t.Errorf("uint8 frames: %v %+v", err, a)
	}
}

func TestReadNPYErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"feat_f8_2x3.npy", `unsupported dtype "<f8" (little-endian float of 8 bytes)`},
		{"feat_bigendian_2x3.npy", `">f4" (big-endian float of 4 bytes)`},
		{"feat_fortran_3x2.npy", "Fortran order"},
		{"msvd_small.tsv", "not a .npy file"},
	}
	for _, c := range cases {
		_, err := ReadNPY(filepath.Join("testdata", c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s: got error %v, want it to name the file and contain %q", c.file, err, c.want)
		}
	}
}

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := []float32{0, 1.5, -2, 3.25, 100, 0.125}
	for _, dt := range []string{DTypeFloat32, DTypeFloat16, DTypeUint8} {
		p := filepath.Join(dir, "x.npy")
		in := data
		if dt == DTypeUint8 {
			in = []float32{0, 1, 2, 3, 255, 7}
		}
		if err := WriteNPY(p, []int{3, 2}, in, dt); err != nil {
			t.Fatal(err)
		}
		a, err := ReadNPY(p)
		if err != nil {
			t.Fatal(err)
		}
		if a.DType != dt || !reflect.DeepEqual(a.Shape, []int{3, 2}) || !reflect.DeepEqual(a.Data, in) {
			t.Errorf("%s: round trip got %+v", dt, a)
		}
		raw, _ := os.ReadFile(p)
		if hl := 10 + int(raw[8]) + int(raw[9])<<8; hl%64 != 0 {
			t.Errorf("%s: data starts at %d, want a multiple of 64", dt, hl)
		}
	}
	// 1-D shapes need the trailing comma in the Python tuple.
	var buf bytes.Buffer
	if err := EncodeNPY(&buf, []int{4}, []float32{1, 2, 3, 4}, DTypeFloat32); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "'shape': (4,)") {
		t.Errorf("1-D header: %q", buf.String()[:60])
	}
	if err := EncodeNPY(&buf, []int{3}, []float32{1}, DTypeFloat32); err == nil {
		t.Error("shape/data mismatch accepted")
	}
}

func TestDecodeNPYCorrupt(t *testing.T) {
	var good bytes.Buffer
	if err := EncodeNPY(&good, []int{2, 2}, []float32{1, 2, 3, 4}, DTypeFloat32); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated data", g[:len(g)-3], "truncated data"},
		{"trailing", append(append([]byte{}, g...), 0, 0), "trailing bytes"},
		{"bad version", append([]byte("\x93NUMPY\x07\x00"), g[8:]...), "unsupported .npy format version 7"},
		{"huge header", append([]byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f"), g[10:]...), "header length"},
		{"no shape", []byte("\x93NUMPY\x01\x00\x2a\x00{'descr': '<f4', 'fortran_order': False, }   \n"), "no 'shape'"},
		{"negative dim", []byte("\x93NUMPY\x01\x00\x3a\x00{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n"), "bad dimension"},
		{"huge shape", []byte("\x93NUMPY\x01\x00\x4a\x00{'descr': '<f4', 'fortran_order': False, 'shape': (99999999, 99999999), }\n"), "more than 1073741824 elements (corpus.MaxNPYElements)"},
		{"string dtype", []byte("\x93NUMPY\x01\x00\x3a\x00{'descr': '<U3', 'fortran_order': False, 'shape': (1,),   }\n"), "unicode string"},
	}
	for _, c := range cases {
		_, err := DecodeNPY(bytes.NewReader(c.data), "x.npy", int64(len(c.data)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
		// Without a known size the reader must still fail cleanly.
		if _, err := DecodeNPY(bytes.NewReader(c.data), "x.npy", -1); err == nil {
			t.Errorf("%s (unknown size): accepted", c.name)
		}
	}
}

func TestCheckFinite(t *testing.T) {
	a, err := ReadNPY("testdata/feat_nan_2x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	err = a.CheckFinite("testdata/feat_nan_2x3.npy")
	if err == nil || !strings.Contains(err.Error(), "[1 2]") || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("got %v, want NaN at [1 2]", err)
	}
	b := &Array{Shape: []int{2}, Data: []float32{1, float32(math.Inf(-1))}}
	if err := b.CheckFinite("b"); err == nil || !strings.Contains(err.Error(), "-Inf") {
		t.Errorf("got %v", err)
	}
}

// TestNPYMemoryBounded: a sparse .npy over the element limit is refused
// before any large allocation; one under it is read with about one copy of
// its values (the file's bytes are converted chunk by chunk).
func TestNPYMemoryBounded(t *testing.T) {
	dir := t.TempDir()
	sparse := func(name string, shape []int, n int64) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		hdr := NPYHeader(shape, DTypeFloat32)
		if _, err := f.Write(hdr); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(int64(len(hdr)) + 4*n); err != nil {
			t.Skipf("no sparse files here: %v", err)
		}
		return path
	}
	alloc := func(f func()) uint64 {
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		return b.TotalAlloc - a.TotalAlloc
	}
	over := sparse("over.npy", []int{MaxNPYElements/1024 + 1, 1024}, int64(MaxNPYElements+1024))
	var err error
	if got := alloc(func() { _, err = ReadNPY(over) }); got > 4<<20 {
		t.Errorf("refusing a %d GiB file allocated %d bytes", (MaxNPYElements*4)>>30, got)
	}
	if err == nil || !strings.Contains(err.Error(), "corpus.MaxNPYElements") {
		t.Errorf("a file over the limit: %v", err)
	}
	const n = 16 << 20 // 64 MiB of float32
	under := sparse("under.npy", []int{n / 1024, 1024}, n)
	var a *Array
	got := alloc(func() { a, err = ReadNPY(under) })
	if err != nil || len(a.Data) != n {
		t.Fatalf("a 64 MiB file: %v", err)
	}
	if want := uint64(4*n) + 4<<20; got > want {
		t.Errorf("reading 64 MiB of float32 allocated %d bytes; want ≤ %d (one copy and a chunk)", got, want)
	}
}
