package corpus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Features holds pre-extracted per-frame features of clips (for example CNN
// activations of sampled frames): clip i has NumFrames[i] frames of Dim values,
// stored row-major in Data[i].
type Features struct {
	IDs       []string
	Dim       int
	NumFrames []int
	Data      [][]float32
	// DType is the element type of the source files ("<f4" or "<f2").
	DType string
	index map[string]int
}

// Index returns the position of clip id, or -1.
func (f *Features) Index(id string) int {
	if i, ok := f.index[id]; ok {
		return i
	}
	return -1
}

// Clip returns the [frames][dim] features of clip id, or nil.
func (f *Features) Clip(id string) []float32 {
	if i := f.Index(id); i >= 0 {
		return f.Data[i]
	}
	return nil
}

// LoadFeatures reads per-frame features in either layout neurotopics accepts:
//   - path is a folder of per-clip files "<clipID>.npy", each [frames, dim]
//     (idsPath must be empty; the clip id is the file name without .npy);
//   - path is one .npy [clips, frames, dim] and idsPath a text file with one
//     clip id a line, in row order.
//
// Values must be float32 or float16 and finite; every clip must have the
// same dim. Errors name the file, the index and what was expected.
func LoadFeatures(path, idsPath string) (*Features, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading features: %w", err)
	}
	if st.IsDir() {
		if idsPath != "" {
			return nil, fmt.Errorf("reading features from folder %s: an id list (%s) is only used with a single stacked .npy; per-clip files are named by clip id", path, idsPath)
		}
		return loadFeatureFolder(path)
	}
	if idsPath == "" {
		return nil, fmt.Errorf("reading features %s: a stacked [clips, frames, dim] .npy needs an id list file with one clip id a line (pass --ids)", path)
	}
	ids, err := ReadIDList(idsPath)
	if err != nil {
		return nil, err
	}
	a, err := ReadNPY(path)
	if err != nil {
		return nil, fmt.Errorf("reading features: %w", err)
	}
	return FeaturesFromStacked(a, ids, path)
}

// FeaturesFromStacked checks a [clips, frames, dim] array against its id list
// and splits it into per-clip features. name is used in error messages.
func FeaturesFromStacked(a *Array, ids []string, name string) (*Features, error) {
	if err := checkFeatureArray(a, 3, name); err != nil {
		return nil, err
	}
	if a.Shape[0] != len(ids) {
		return nil, fmt.Errorf("%s: %d rows (clips) but the id list has %d ids; expected one id per row", name, a.Shape[0], len(ids))
	}
	f := &Features{Dim: a.Shape[2], DType: a.DType, index: map[string]int{}}
	per := a.Shape[1] * a.Shape[2]
	for i, id := range ids {
		f.add(id, a.Shape[1], a.Data[i*per:(i+1)*per:(i+1)*per])
	}
	return f, nil
}

func (f *Features) add(id string, frames int, data []float32) {
	f.index[id] = len(f.IDs)
	f.IDs = append(f.IDs, id)
	f.NumFrames = append(f.NumFrames, frames)
	f.Data = append(f.Data, data)
}

func checkFeatureArray(a *Array, rank int, name string) error {
	if a.DType != DTypeFloat32 && a.DType != DTypeFloat16 {
		return fmt.Errorf("%s: features have dtype %q; expected float32 \"<f4\" or float16 \"<f2\"", name, a.DType)
	}
	if len(a.Shape) != rank {
		want := "[frames, dim]"
		if rank == 3 {
			want = "[clips, frames, dim]"
		}
		return fmt.Errorf("%s: features have rank %d, shape %v; expected rank %d %s", name, len(a.Shape), a.Shape, rank, want)
	}
	for i, d := range a.Shape {
		if d == 0 {
			return fmt.Errorf("%s: features have shape %v with an empty dimension %d; expected at least one frame of at least one value", name, a.Shape, i)
		}
	}
	return a.CheckFinite(name)
}

func loadFeatureFolder(dir string) (*Features, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.npy"))
	if err != nil {
		return nil, fmt.Errorf("reading features from %s: %w", dir, err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("reading features from folder %s: no .npy files; expected one <clipID>.npy of shape [frames, dim] per clip", dir)
	}
	f := &Features{index: map[string]int{}}
	for _, p := range files {
		a, err := ReadNPY(p)
		if err != nil {
			return nil, fmt.Errorf("reading features: %w", err)
		}
		if err := checkFeatureArray(a, 2, p); err != nil {
			return nil, err
		}
		if f.Dim == 0 {
			f.Dim, f.DType = a.Shape[1], a.DType
		} else if a.Shape[1] != f.Dim {
			return nil, fmt.Errorf("%s: feature dim %d, but %s has dim %d; expected every clip to have the same dim", p, a.Shape[1], f.IDs[0]+".npy", f.Dim)
		}
		f.add(strings.TrimSuffix(filepath.Base(p), ".npy"), a.Shape[0], a.Data)
	}
	return f, nil
}

// ReadIDList reads a text file with one clip id a line. Blank lines and
// duplicate ids are errors (the row order of a stacked array depends on them).
func ReadIDList(path string) ([]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading id list: %w", err)
	}
	defer fh.Close()
	return ParseIDList(fh, path)
}

// ParseIDList reads one clip id a line from r; name is used in error messages.
func ParseIDList(r io.Reader, name string) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var ids []string
	seen := map[string]int{}
	lineNo := 0
	for sc.Scan() {
		lineNo++
		id := strings.TrimSpace(strings.TrimRight(sc.Text(), "\r"))
		if id == "" {
			// A trailing newline at the very end is fine; blank lines inside are not.
			ids = append(ids, "")
			continue
		}
		if !utf8.ValidString(id) || strings.ContainsAny(id, " \t") {
			return nil, fmt.Errorf("%s:%d: expected one clip id (no spaces, UTF-8) a line, found %q", name, lineNo, truncate(id, 60))
		}
		if j, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate clip id %q (first at line %d); ids must be unique", name, lineNo, id, j)
		}
		seen[id] = lineNo
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than 1 MiB; expected one clip id a line", name, lineNo+1)
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	for len(ids) > 0 && ids[len(ids)-1] == "" {
		ids = ids[:len(ids)-1]
	}
	for i, id := range ids {
		if id == "" {
			return nil, fmt.Errorf("%s:%d: blank line; expected one clip id a line (row %d of the array)", name, i+1, i)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no clip ids (empty file)", name)
	}
	return ids, nil
}

// Frames holds RGB clips [clips, T, H, W, 3] with values in [0,1].
type Frames struct {
	IDs              []string
	T, Height, Width int
	Data             []float32
}

// ClipSize is the number of values of one clip (T·H·W·3).
func (f *Frames) ClipSize() int { return f.T * f.Height * f.Width * 3 }

// Clip returns the frames of the i-th clip.
func (f *Frames) Clip(i int) []float32 {
	n := f.ClipSize()
	return f.Data[i*n : (i+1)*n]
}

// LoadFrames reads a stacked frames .npy [clips, T, H, W, 3] (uint8 0–255,
// scaled to [0,1], or float32 already in [0,1]) with its id list.
func LoadFrames(path, idsPath string) (*Frames, error) {
	ids, err := ReadIDList(idsPath)
	if err != nil {
		return nil, err
	}
	a, err := ReadNPY(path)
	if err != nil {
		return nil, fmt.Errorf("reading frames: %w", err)
	}
	if len(a.Shape) != 5 || a.Shape[4] != 3 {
		return nil, fmt.Errorf("%s: frames have shape %v; expected [clips, T, H, W, 3]", path, a.Shape)
	}
	if a.Shape[0] != len(ids) {
		return nil, fmt.Errorf("%s: %d clips but the id list %s has %d ids", path, a.Shape[0], idsPath, len(ids))
	}
	switch a.DType {
	case DTypeUint8:
		for i := range a.Data {
			a.Data[i] /= 255
		}
	case DTypeFloat32, DTypeFloat16:
		if err := a.CheckFinite(path); err != nil {
			return nil, err
		}
		for i, v := range a.Data {
			if v < 0 || v > 1 {
				return nil, fmt.Errorf("%s: value %v at index %v; expected float frames in [0,1] (or uint8 0–255)", path, v, unravel(i, a.Shape))
			}
		}
	}
	return &Frames{IDs: ids, T: a.Shape[1], Height: a.Shape[2], Width: a.Shape[3], Data: a.Data}, nil
}
