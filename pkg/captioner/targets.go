package captioner

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Files of a topic-label folder (as `neurotopics topics --out` writes it).
const (
	TargetsLabelsNPY = "labels.npy" // multi-hot labels [clips, K]
	TargetsClipsFile = "clips.txt"  // the clip id of each row
)

// LoadTargets reads per-clip target vectors from
//   - a folder with labels.npy [clips, K] (multi-hot, any numeric dtype
//     corpus.ReadNPY reads) and clips.txt (one clip id a line, in row order),
//     as `neurotopics topics` writes; targets are named "topic 0" … "topic K−1";
//   - or a CSV file with a header "clip_id,<name 1>,…,<name K>" and one row of
//     K numbers per clip.
func LoadTargets(path string) (*Targets, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading targets: %w", err)
	}
	if st.IsDir() {
		return loadTargetsDir(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading targets: %w", err)
	}
	defer f.Close()
	return ParseTargetsCSV(f, path)
}

func loadTargetsDir(dir string) (*Targets, error) {
	ids, err := corpus.ReadIDList(filepath.Join(dir, TargetsClipsFile))
	if err != nil {
		return nil, err
	}
	a, err := corpus.ReadNPY(filepath.Join(dir, TargetsLabelsNPY))
	if err != nil {
		return nil, fmt.Errorf("reading targets: %w", err)
	}
	name := filepath.Join(dir, TargetsLabelsNPY)
	if len(a.Shape) != 2 || a.Shape[1] < 1 {
		return nil, fmt.Errorf("%s: shape %v; expected [clips, K]", name, a.Shape)
	}
	if a.Shape[0] != len(ids) {
		return nil, fmt.Errorf("%s: %d rows but %s has %d clip ids", name, a.Shape[0], TargetsClipsFile, len(ids))
	}
	K := a.Shape[1]
	t := &Targets{ByClip: make(map[string][]float32, len(ids))}
	for k := range K {
		t.Names = append(t.Names, fmt.Sprintf("topic %d", k))
	}
	for i, id := range ids {
		t.ByClip[id] = a.Data[i*K : (i+1)*K : (i+1)*K]
	}
	if err := t.check(ids); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// ParseTargetsCSV reads targets from CSV text (see LoadTargets); name is used
// in error messages.
func ParseTargetsCSV(r io.Reader, name string) (*Targets, error) {
	cr := csv.NewReader(corpus.LineLimitReader(r, corpus.MaxLineBytes))
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file; expected a header clip_id,<target names…>", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(header) < 2 || strings.TrimPrefix(strings.TrimSpace(header[0]), "\ufeff") != "clip_id" {
		line, _ := cr.FieldPos(0)
		return nil, fmt.Errorf("%s:%d: expected a header clip_id,<target names…>; found %q", name, line, corpus.Short(strings.Join(header, ",")))
	}
	t := &Targets{Names: header[1:], ByClip: map[string][]float32{}}
	var ids []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0) // blank lines and quoted line breaks make it differ from the record number
		id := strings.TrimSpace(rec[0])
		if _, dup := t.ByClip[id]; dup {
			return nil, fmt.Errorf("%s:%d: clip %q appears twice", name, line, corpus.Short(id))
		}
		v := make([]float32, len(rec)-1)
		for k, s := range rec[1:] {
			x, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				line, _ := cr.FieldPos(k + 1)
				return nil, fmt.Errorf("%s:%d: column %d (%s) is %q; expected a finite number", name, line, k+2, corpus.Short(t.Names[k]), corpus.Short(s))
			}
			v[k] = float32(x)
		}
		t.ByClip[id] = v
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", name)
	}
	return t, nil
}
