package corpus

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/x448/float16"
)

// Array is a dense n-dimensional array read from or written to a NumPy .npy
// file. Data holds the values in row-major (C) order converted to float32;
// DType records the element type found in the file ("<f4", "<f2", "|u1").
type Array struct {
	Shape []int
	Data  []float32
	DType string
}

// Size returns the number of elements the shape describes.
func (a *Array) Size() int { return shapeSize(a.Shape) }

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// NPY element types neurotopics reads and writes.
const (
	DTypeFloat32 = "<f4"
	DTypeFloat16 = "<f2"
	DTypeUint8   = "|u1"
)

// MaxNPYElements bounds the elements of one .npy array (2^30: 4 GiB as
// float32), so that a header, or a large sparse file, cannot make the reader
// allocate without bound. Larger features go in one .npy per clip (a folder
// of <clip>.npy), which has no such limit as a whole.
var MaxNPYElements = 1 << 30

var npyMagic = []byte("\x93NUMPY")

// ReadNPY reads a little-endian float32, float16 or uint8 .npy file.
func ReadNPY(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return DecodeNPY(bufio.NewReaderSize(f, 1<<20), path, st.Size())
}

// DecodeNPY decodes a .npy stream. name is used in error messages; size is
// the stream length in bytes when known (-1 otherwise) and lets a header that
// declares more data than the file holds fail before any allocation.
func DecodeNPY(r io.Reader, name string, size int64) (*Array, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, fmt.Errorf("%s: not a .npy file: file too short for the 8-byte magic (%v)", name, err)
	}
	if !bytes.Equal(pre[:6], npyMagic) {
		return nil, fmt.Errorf("%s: not a .npy file: expected magic \\x93NUMPY, found %q", name, pre[:6])
	}
	major := pre[6]
	var hlen, prelen int
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, fmt.Errorf("%s: truncated .npy header length: %v", name, err)
		}
		hlen, prelen = int(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%s: truncated .npy header length: %v", name, err)
		}
		hlen, prelen = int(binary.LittleEndian.Uint32(b[:])), 12
	default:
		return nil, fmt.Errorf("%s: unsupported .npy format version %d.%d (expected 1.0, 2.0 or 3.0)", name, major, pre[7])
	}
	if hlen > 1<<20 || (size >= 0 && int64(prelen+hlen) > size) {
		return nil, fmt.Errorf("%s: corrupt .npy header: declared header length %d does not fit the file", name, hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("%s: truncated .npy header (%d bytes expected): %v", name, hlen, err)
	}
	descr, fortran, shape, err := parseNPYHeader(string(hdr))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if fortran {
		return nil, fmt.Errorf("%s: array is stored in Fortran order; expected C order (save it with numpy.ascontiguousarray(a))", name)
	}
	var width int
	switch descr {
	case DTypeFloat32:
		width = 4
	case DTypeFloat16:
		width = 2
	case DTypeUint8, "<u1":
		descr, width = DTypeUint8, 1
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %q (%s); expected little-endian float32 \"<f4\", float16 \"<f2\" or uint8 \"|u1\" (convert with a.astype(numpy.float32))",
			name, descr, describeDType(descr))
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("%s: shape %v has a negative dimension", name, shape)
		}
		if d > 0 && n > MaxNPYElements/d {
			return nil, fmt.Errorf("%s: shape %v has more than %d elements (corpus.MaxNPYElements); save the features as one .npy per clip (a folder of <clip>.npy) instead", name, shape, MaxNPYElements)
		}
		n *= d
	}
	nbytes := int64(n) * int64(width)
	if size >= 0 {
		have := size - int64(prelen+hlen)
		if have < nbytes {
			return nil, fmt.Errorf("%s: truncated data: shape %v of %s needs %d bytes, file has %d", name, shape, descr, nbytes, have)
		}
		if have > nbytes {
			return nil, fmt.Errorf("%s: %d unexpected trailing bytes after the data of shape %v", name, have-nbytes, shape)
		}
	}
	// Converted chunk by chunk: the bytes are never held whole beside the
	// values.
	data := make([]float32, n)
	chunk := make([]byte, min(int64(1<<20), max(nbytes, 1))/int64(width)*int64(width))
	for i := 0; i < n; {
		m := min(len(chunk)/width, n-i)
		raw := chunk[:m*width]
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, fmt.Errorf("%s: truncated data: shape %v of %s needs %d bytes: %v", name, shape, descr, nbytes, err)
		}
		switch width {
		case 4:
			for k := range m {
				data[i+k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
			}
		case 2:
			for k := range m {
				data[i+k] = float16.Frombits(binary.LittleEndian.Uint16(raw[2*k:])).Float32()
			}
		case 1:
			for k := range m {
				data[i+k] = float32(raw[k])
			}
		}
		i += m
	}
	if size < 0 {
		if k, _ := r.Read(make([]byte, 1)); k > 0 {
			return nil, fmt.Errorf("%s: unexpected trailing bytes after the data of shape %v", name, shape)
		}
	}
	return &Array{Shape: shape, Data: data, DType: descr}, nil
}

func describeDType(d string) string {
	if len(d) < 2 {
		return "unknown"
	}
	endian := map[byte]string{'<': "little-endian", '>': "big-endian", '|': "byte-sized", '=': "native-endian"}[d[0]]
	kind := map[byte]string{'f': "float", 'i': "signed int", 'u': "unsigned int", 'b': "bool", 'U': "unicode string", 'S': "byte string", 'O': "Python object", 'c': "complex"}[d[1]]
	if endian == "" || kind == "" {
		return "unknown"
	}
	bits := ""
	if w, err := strconv.Atoi(d[2:]); err == nil {
		bits = fmt.Sprintf(" of %d bytes", w)
	}
	return endian + " " + kind + bits
}

var (
	reDescr   = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	reFortran = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	reShape   = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

// parseNPYHeader reads the Python dict literal of a .npy header.
func parseNPYHeader(h string) (descr string, fortran bool, shape []int, err error) {
	m := reDescr.FindStringSubmatch(h)
	if m == nil {
		return "", false, nil, fmt.Errorf("corrupt .npy header: no 'descr' field in %q", truncate(h, 120))
	}
	descr = m[1]
	m = reFortran.FindStringSubmatch(h)
	if m == nil {
		return "", false, nil, fmt.Errorf("corrupt .npy header: no 'fortran_order' field in %q", truncate(h, 120))
	}
	fortran = m[1] == "True"
	m = reShape.FindStringSubmatch(h)
	if m == nil {
		return "", false, nil, fmt.Errorf("corrupt .npy header: no 'shape' tuple in %q", truncate(h, 120))
	}
	shape = []int{}
	for _, p := range strings.Split(m[1], ",") {
		p = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p), "L"))
		if p == "" {
			continue
		}
		d, err := strconv.Atoi(p)
		if err != nil || d < 0 {
			return "", false, nil, fmt.Errorf("corrupt .npy header: bad dimension %q in shape (%s)", p, m[1])
		}
		shape = append(shape, d)
	}
	return descr, fortran, shape, nil
}

// Short cuts s to 80 bytes (marking the cut with "…"), so that an error
// quoting a field of a malformed file stays readable whatever its size.
func Short(s string) string { return truncate(s, 80) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// NPYHeader returns the version 1.0 .npy header of a C-order array of shape
// and dtype, padded with spaces so that the data starts on a 64-byte boundary
// (as numpy.save does). Writers that stream large arrays write it, then the
// little-endian data.
func NPYHeader(shape []int, dtype string) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", dtype, tuple)
	pad := (64 - (10+len(dict)+1)%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	buf := make([]byte, 0, 10+len(dict))
	buf = append(buf, npyMagic...)
	buf = append(buf, 1, 0)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(dict)))
	return append(buf, dict...)
}

// EncodeNPY writes data of the given shape as a version 1.0 .npy stream with
// element type dtype (DTypeFloat32, DTypeFloat16 or DTypeUint8; uint8 values
// are rounded and clamped to 0..255).
func EncodeNPY(w io.Writer, shape []int, data []float32, dtype string) error {
	if shapeSize(shape) != len(data) {
		return fmt.Errorf("encoding .npy: shape %v holds %d values, got %d", shape, shapeSize(shape), len(data))
	}
	var width int
	switch dtype {
	case DTypeFloat32:
		width = 4
	case DTypeFloat16:
		width = 2
	case DTypeUint8:
		width = 1
	default:
		return fmt.Errorf("encoding .npy: unsupported dtype %q", dtype)
	}
	hdr := NPYHeader(shape, dtype)
	buf := make([]byte, 0, len(hdr)+width*len(data))
	buf = append(buf, hdr...)
	for _, v := range data {
		switch width {
		case 4:
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		case 2:
			buf = binary.LittleEndian.AppendUint16(buf, float16.Fromfloat32(v).Bits())
		case 1:
			x := math.Round(float64(v))
			if x < 0 || math.IsNaN(x) {
				x = 0
			} else if x > 255 {
				x = 255
			}
			buf = append(buf, byte(x))
		}
	}
	_, err := w.Write(buf)
	return err
}

// WriteNPY writes a .npy file atomically (a temporary file in the same folder,
// then a rename), so a reader never sees a half-written file.
func WriteNPY(path string, shape []int, data []float32, dtype string) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return EncodeNPY(w, shape, data, dtype) })
}

// WriteFileAtomic writes path through a temporary file in the same folder
// that is synced and renamed into place only when write succeeds.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = write(bw); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// CheckFinite returns an error naming the first NaN or ±Inf value in a, with
// its index in every dimension.
func (a *Array) CheckFinite(name string) error {
	for i, v := range a.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%s: value %v at index %v; features must be finite (replace or drop the clip)", name, v, unravel(i, a.Shape))
		}
	}
	return nil
}

func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return idx
}
