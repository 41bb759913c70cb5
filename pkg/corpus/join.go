package corpus

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode/utf8"
)

// Source is one per-clip input of a join: a name for messages ("captions",
// "features", "labels") and the clip ids it holds.
type Source struct {
	Name string
	IDs  []string
}

// JoinReport is the result of joining sources by clip id.
type JoinReport struct {
	// Clips are the ids present in every source, in the order of the first
	// source.
	Clips []string
	// Sources are the source names, in order.
	Sources []string
	// Missing maps a source name to the ids that other sources have and it
	// lacks, sorted.
	Missing map[string][]string
	// Union is the number of distinct ids over all sources.
	Union int
}

// Join intersects sources by clip id and reports, for each source, which ids
// the others have and it lacks. Nothing is dropped without being listed.
func Join(sources ...Source) *JoinReport {
	r := &JoinReport{Missing: map[string][]string{}}
	union := map[string]bool{}
	sets := make([]map[string]bool, len(sources))
	for i, s := range sources {
		r.Sources = append(r.Sources, s.Name)
		sets[i] = make(map[string]bool, len(s.IDs))
		for _, id := range s.IDs {
			sets[i][id] = true
			union[id] = true
		}
	}
	r.Union = len(union)
	if len(sources) == 0 {
		return r
	}
	for _, id := range sources[0].IDs {
		all := true
		for _, set := range sets[1:] {
			if !set[id] {
				all = false
				break
			}
		}
		if all && sets[0][id] {
			r.Clips = append(r.Clips, id)
			sets[0][id] = false // keep the first occurrence only
		}
	}
	for i, s := range sources {
		var miss []string
		for id := range union {
			if _, ok := sets[i][id]; !ok {
				miss = append(miss, id)
			}
		}
		sort.Strings(miss)
		if len(miss) > 0 {
			r.Missing[s.Name] = miss
		}
	}
	return r
}

// String summarises the join: how many clips joined, and per source how many
// ids it lacks, with the first few.
func (r *JoinReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "joined %d of %d clips over %s", len(r.Clips), r.Union, strings.Join(r.Sources, ", "))
	for _, s := range r.Sources {
		miss := r.Missing[s]
		if len(miss) == 0 {
			continue
		}
		show := miss
		if len(show) > 5 {
			show = show[:5]
		}
		more := ""
		if len(miss) > len(show) {
			more = ", …"
		}
		fmt.Fprintf(&b, "\n  %s lacks %d clips the others have: %s%s", s, len(miss), strings.Join(show, ", "), more)
	}
	return b.String()
}

// ReadLabels reads one label column of a CSV file with a header row. The
// clip id column is the first of "clip_id", "video_id" or "id" present.
func ReadLabels(path, column string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading labels: %w", err)
	}
	defer f.Close()
	return ParseLabels(f, path, column)
}

// ParseLabels reads labels from CSV text; name is used in error messages.
func ParseLabels(r io.Reader, name, column string) (map[string]string, error) {
	cr := csv.NewReader(LineLimitReader(r, MaxLineBytes))
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file; expected a CSV header with clip_id and %q", name, column)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	idCol, labCol := -1, -1
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if idCol < 0 && (h == "clip_id" || h == "video_id" || h == "id") {
			idCol = i
		}
		if h == column {
			labCol = i
		}
	}
	if idCol < 0 {
		return nil, fmt.Errorf("%s:1: no clip id column; expected one named clip_id, video_id or id, found %q", name, truncate(strings.Join(header, ","), 120))
	}
	if labCol < 0 {
		return nil, fmt.Errorf("%s:1: no column %q; columns are %q", name, truncate(column, 60), truncate(strings.Join(header, ","), 120))
	}
	out := map[string]string{}
	firstLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		id, lab := strings.TrimSpace(rec[idCol]), strings.TrimSpace(rec[labCol])
		if !utf8.ValidString(id) || !utf8.ValidString(lab) {
			return nil, fmt.Errorf("%s:%d: invalid UTF-8", name, line)
		}
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty clip id", name, line)
		}
		if lab == "" {
			return nil, fmt.Errorf("%s:%d: clip %q has an empty %q", name, line, truncate(id, 60), truncate(column, 60))
		}
		if j, dup := firstLine[id]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate clip id %q (first at line %d)", name, line, truncate(id, 60), j)
		}
		firstLine[id] = line
		out[id] = lab
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: header only, no rows", name)
	}
	return out, nil
}

// Keys returns the keys of a label map, sorted.
func Keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
