package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"
)

// Captions holds human descriptions grouped by clip, with where they came
// from and what the loader noticed.
type Captions struct {
	// Clips lists the distinct clip ids in the order they were first seen.
	Clips []string
	// ByClip maps a clip id to its captions, in file order (duplicates kept:
	// annotators repeat each other).
	ByClip map[string][]string
	// Splits maps a split name ("train", "val", "test", …) to its clip ids,
	// in first-seen order. A clip may appear in several splits; Warnings says so.
	Splits map[string][]string
	// Category maps a clip id to its category label where the source has one
	// (MSR-VTT's "category"; the synthetic corpus' action class).
	Category map[string]int
	// Lines counts the caption records read (lines of MSVD files, sentences of
	// MSR-VTT files).
	Lines int
	// Files lists the files read, in order.
	Files []string
	// Warnings lists everything unusual that did not stop loading, with counts.
	Warnings []string
}

// NewCaptions returns an empty caption set.
func NewCaptions() *Captions {
	return &Captions{ByClip: map[string][]string{}, Splits: map[string][]string{}, Category: map[string]int{}}
}

// Add appends one caption of clip to split.
func (c *Captions) Add(split, clip, caption string) {
	if _, ok := c.ByClip[clip]; !ok {
		c.Clips = append(c.Clips, clip)
	}
	c.ByClip[clip] = append(c.ByClip[clip], caption)
	c.Lines++
	ids := c.Splits[split]
	if n := len(ids); n == 0 || ids[n-1] != clip {
		// Clips are usually contiguous; fall back to a scan only when not.
		if !containsString(ids, clip) {
			c.Splits[split] = append(ids, clip)
		}
	}
}

func containsString(xs []string, x string) bool {
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i] == x {
			return true
		}
	}
	return false
}

// NumCaptions returns the number of captions held.
func (c *Captions) NumCaptions() int {
	n := 0
	for _, cs := range c.ByClip {
		n += len(cs)
	}
	return n
}

// SplitNames returns the split names in a stable order: train, val, test,
// then any others alphabetically.
func (c *Captions) SplitNames() []string {
	rank := map[string]int{"train": 0, "val": 1, "validate": 1, "test": 2}
	names := make([]string, 0, len(c.Splits))
	for s := range c.Splits {
		names = append(names, s)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, oki := rank[names[i]]
		rj, okj := rank[names[j]]
		switch {
		case oki && okj:
			return ri < rj
		case oki != okj:
			return oki
		}
		return names[i] < names[j]
	})
	return names
}

// LoadCaptions reads captions from files or folders, guessing the format:
//   - a .json file is MSR-VTT's videodatainfo.json;
//   - any other file is MSVD lines (`clipID<TAB>caption`);
//   - a folder contributes its videodatainfo.json if present, otherwise its
//     *.tsv and *.txt files in name order.
//
// The split of an MSVD file is taken from its name: the part after the last
// "_" or "-" of the base name ("msvd_train.tsv" → "train"). Clips that appear
// in several files are reported in Warnings with counts.
func LoadCaptions(paths ...string) (*Captions, error) {
	if len(paths) == 0 {
		return nil, errors.New("no caption files given: pass MSVD .tsv files, an MSR-VTT videodatainfo.json, or a folder holding them")
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("reading captions: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		if vdi := filepath.Join(p, "videodatainfo.json"); fileExists(vdi) {
			files = append(files, vdi)
			continue
		}
		var found []string
		for _, pat := range []string{"*.tsv", "*.txt"} {
			m, _ := filepath.Glob(filepath.Join(p, pat))
			found = append(found, m...)
		}
		sort.Strings(found)
		if len(found) == 0 {
			return nil, fmt.Errorf("reading captions from folder %s: no videodatainfo.json, *.tsv or *.txt file in it", p)
		}
		files = append(files, found...)
	}
	c := NewCaptions()
	for _, f := range files {
		var err error
		if strings.EqualFold(filepath.Ext(f), ".json") {
			err = c.readMSRVTTFile(f)
		} else {
			err = c.readMSVDFile(f)
		}
		if err != nil {
			return nil, err
		}
	}
	c.warnSplitOverlap()
	if len(c.Clips) == 0 {
		return nil, fmt.Errorf("reading captions from %s: no captions found (empty corpus)", strings.Join(files, ", "))
	}
	return c, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// splitFromName derives a split name from an MSVD file name.
func splitFromName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if i := strings.LastIndexAny(base, "_-"); i >= 0 && i+1 < len(base) {
		base = base[i+1:]
	}
	return strings.ToLower(base)
}

func (c *Captions) readMSVDFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading captions: %w", err)
	}
	defer f.Close()
	if err := c.ReadMSVD(f, path, splitFromName(path)); err != nil {
		return err
	}
	c.Files = append(c.Files, path)
	return nil
}

// ReadMSVD reads MSVD caption lines, `clipID<TAB>caption`, from r into c
// under split. name is used in error messages. Blank lines are skipped and
// counted in Warnings; a line without a tab, with an empty id or caption, or
// with invalid UTF-8 is an error naming the line.
func (c *Captions) ReadMSVD(r io.Reader, name, split string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	lineNo, blank, read := 0, 0, 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			blank++
			continue
		}
		if !utf8.ValidString(line) {
			return fmt.Errorf("%s:%d: invalid UTF-8 text; expected UTF-8 `clipID<TAB>caption` (re-encode the file, e.g. iconv -t UTF-8)", name, lineNo)
		}
		id, caption, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("%s:%d: expected `clipID<TAB>caption`, found no tab in %q", name, lineNo, truncate(line, 80))
		}
		id, caption = strings.TrimSpace(id), strings.TrimSpace(caption)
		if id == "" {
			return fmt.Errorf("%s:%d: expected a clip id before the tab, found an empty id", name, lineNo)
		}
		if strings.ContainsAny(id, " \t") {
			return fmt.Errorf("%s:%d: expected a clip id without spaces before the first tab, found %q", name, lineNo, truncate(id, 80))
		}
		if caption == "" {
			return fmt.Errorf("%s:%d: expected a caption after the tab of clip %q, found nothing", name, lineNo, id)
		}
		c.Add(split, id, caption)
		read++
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than 1 MiB; expected one caption a line", name, lineNo+1)
		}
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if read == 0 {
		return fmt.Errorf("%s: no caption lines (empty file); expected `clipID<TAB>caption` lines", name)
	}
	if blank > 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: skipped %d blank lines", name, blank))
	}
	return nil
}

// warnSplitOverlap reports clips that belong to more than one split, once
// per pair of splits, from the side of the smaller split.
func (c *Captions) warnSplitOverlap() {
	names := c.SplitNames()
	if len(names) < 2 {
		return
	}
	sets := map[string]map[string]bool{}
	for _, s := range names {
		sets[s] = map[string]bool{}
		for _, id := range c.Splits[s] {
			sets[s][id] = true
		}
	}
	smaller := func(a, b string) bool { // a is reported against b
		na, nb := len(c.Splits[a]), len(c.Splits[b])
		return na < nb || (na == nb && a < b)
	}
	for _, s := range names {
		n := 0
		var parts []string
		for _, o := range names {
			if o == s || !smaller(s, o) {
				continue
			}
			k := 0
			for _, id := range c.Splits[s] {
				if sets[o][id] {
					k++
				}
			}
			if k > 0 {
				parts = append(parts, fmt.Sprintf("%s (%d)", o, k))
			}
		}
		if len(parts) == 0 {
			continue
		}
		for _, id := range c.Splits[s] {
			for _, o := range names {
				if o != s && smaller(s, o) && sets[o][id] {
					n++
					break
				}
			}
		}
		c.Warnings = append(c.Warnings, fmt.Sprintf(
			"split %q: %d of its %d clips also appear in %s; splits overlap, so use %q as a sample, not as a disjoint split",
			s, n, len(c.Splits[s]), strings.Join(parts, " and "), s))
	}
}

// VideoDataInfo is the layout of MSR-VTT's videodatainfo.json (the fields
// neurotopics reads or writes; others are ignored on reading).
type VideoDataInfo struct {
	Info      *DatasetInfo `json:"info,omitempty"`
	Videos    []VideoInfo  `json:"videos"`
	Sentences []Sentence   `json:"sentences"`
}

// DatasetInfo describes a dataset, as in MSR-VTT's "info" field.
type DatasetInfo struct {
	Contributor string `json:"contributor,omitempty"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version,omitempty"`
	Year        string `json:"year,omitempty"`
}

// VideoInfo is one entry of "videos".
type VideoInfo struct {
	VideoID   string   `json:"video_id"`
	ID        int      `json:"id"`
	Category  *int     `json:"category,omitempty"`
	Split     string   `json:"split,omitempty"`
	URL       string   `json:"url,omitempty"`
	StartTime *float64 `json:"start time,omitempty"`
	EndTime   *float64 `json:"end time,omitempty"`
}

// Sentence is one entry of "sentences".
type Sentence struct {
	VideoID string `json:"video_id"`
	Caption string `json:"caption"`
	SenID   int    `json:"sen_id"`
}

// MaxMSRVTTBytes bounds a videodatainfo.json (MSR-VTT's is about 40 MB): a
// larger file is refused before it is read.
const MaxMSRVTTBytes = 1 << 30

func (c *Captions) readMSRVTTFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading captions: %w", err)
	}
	defer f.Close()
	data, err := readJSONBytes(f, path, MaxMSRVTTBytes, "an MSR-VTT videodatainfo.json", "corpus.MaxMSRVTTBytes; MSR-VTT's is about 40 MB")
	if err != nil {
		return err
	}
	if err := c.ReadMSRVTT(data, path); err != nil {
		return err
	}
	c.Files = append(c.Files, path)
	return nil
}

// ReadMSRVTT reads an MSR-VTT videodatainfo.json document into c. Clips get
// their split from the video's "split" field ("validate" is read as "val";
// missing → "all") and their Category from "category" when present.
func (c *Captions) ReadMSRVTT(data []byte, name string) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: empty file; expected an MSR-VTT videodatainfo.json object with \"videos\" and \"sentences\"", name)
	}
	if !utf8.Valid(data) {
		// JSON decoding would turn the bad bytes into U+FFFD silently.
		bad := 0
		for bad < len(data) {
			r, size := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		return fmt.Errorf("%s:%d: invalid UTF-8 text (byte %d); expected a UTF-8 JSON file (re-encode it, e.g. iconv -t UTF-8)", name, 1+bytes.Count(data[:bad], []byte("\n")), bad)
	}
	// Decode field by field so that missing fields can be named.
	var doc struct {
		Videos    []map[string]json.RawMessage `json:"videos"`
		Sentences []map[string]json.RawMessage `json:"sentences"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %s", name, DescribeJSONError(data, err))
	}
	if doc.Sentences == nil {
		return fmt.Errorf("%s: missing field \"sentences\" (expected a list of {\"video_id\", \"caption\"})", name)
	}
	split := map[string]string{}
	category := map[string]int{}
	seen := map[string]int{}
	noCategory := 0
	for i, v := range doc.Videos {
		var id string
		if err := jsonField(v, "video_id", &id, true); err != nil {
			return fmt.Errorf("%s: videos[%d]: %w", name, i, err)
		}
		if id == "" {
			return fmt.Errorf("%s: videos[%d]: field \"video_id\" is empty; expected a clip id", name, i)
		}
		if j, dup := seen[id]; dup {
			return fmt.Errorf("%s: videos[%d]: duplicate video_id %q (first at videos[%d]); ids must be unique", name, i, id, j)
		}
		seen[id] = i
		var s string
		if err := jsonField(v, "split", &s, false); err != nil {
			return fmt.Errorf("%s: videos[%d] (%s): %w", name, i, id, err)
		}
		if s == "validate" {
			s = "val"
		}
		if s == "" {
			s = "all"
		}
		split[id] = s
		if _, ok := v["category"]; ok {
			var cat int
			if err := jsonField(v, "category", &cat, true); err != nil {
				return fmt.Errorf("%s: videos[%d] (%s): %w", name, i, id, err)
			}
			category[id] = cat
		} else {
			noCategory++
		}
	}
	if len(doc.Sentences) == 0 {
		return fmt.Errorf("%s: \"sentences\" is empty (empty corpus); expected at least one {\"video_id\", \"caption\"}", name)
	}
	for i, s := range doc.Sentences {
		var id, caption string
		if err := jsonField(s, "video_id", &id, true); err != nil {
			return fmt.Errorf("%s: sentences[%d]: %w", name, i, err)
		}
		if err := jsonField(s, "caption", &caption, true); err != nil {
			return fmt.Errorf("%s: sentences[%d] (%s): %w", name, i, id, err)
		}
		caption = strings.TrimSpace(caption)
		if caption == "" {
			return fmt.Errorf("%s: sentences[%d] (%s): field \"caption\" is empty; expected a caption", name, i, id)
		}
		sp, ok := split[id]
		if !ok {
			if len(doc.Videos) > 0 {
				return fmt.Errorf("%s: sentences[%d]: video_id %q is not listed in \"videos\"", name, i, id)
			}
			sp = "all"
		}
		c.Add(sp, id, caption)
	}
	for id, cat := range category {
		if _, ok := c.ByClip[id]; ok {
			c.Category[id] = cat
		}
	}
	noCaption := 0
	for id := range split {
		if _, ok := c.ByClip[id]; !ok {
			noCaption++
		}
	}
	if noCaption > 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %d videos have no sentence and are left out", name, noCaption))
	}
	if noCategory > 0 && noCategory < len(doc.Videos) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %d of %d videos have no \"category\"", name, noCategory, len(doc.Videos)))
	}
	return nil
}

// jsonField decodes obj[key] into dst, naming the field and the expected type
// on failure.
func jsonField(obj map[string]json.RawMessage, key string, dst any, required bool) error {
	raw, ok := obj[key]
	if !ok {
		if required {
			return fmt.Errorf("missing field %q", key)
		}
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		want := fmt.Sprintf("%T", dst)[1:]
		return fmt.Errorf("field %q: expected %s, found %s", key, want, truncate(string(raw), 60))
	}
	return nil
}

// DescribeJSONError turns a JSON decoding error of data into a message that
// says where: "line L, column C: …" for syntax errors, the line and field for
// type errors.
func DescribeJSONError(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset - 1 // the offset counts the offending byte
	case errors.As(err, &te):
		off = te.Offset
		if te.Field != "" {
			return fmt.Sprintf("line %d: field %q: expected %s, found JSON %s", lineOf(data, off), te.Field, JSONKind(te.Type), te.Value)
		}
		return fmt.Sprintf("line %d: expected an object with \"videos\" and \"sentences\" lists, found JSON %s", lineOf(data, off), te.Value)
	}
	if off >= 0 {
		l, col := lineCol(data, off)
		return fmt.Sprintf("line %d, column %d: invalid JSON: %v", l, col, err)
	}
	return fmt.Sprintf("invalid JSON: %v", err)
}

// JSONKind names what a Go type holds in JSON's words ("a list of
// objects", "a string", "a number"), for messages to people who write JSON,
// not Go.
func JSONKind(t reflect.Type) string {
	if t == nil || t == reflect.TypeOf(json.RawMessage(nil)) {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		inner := JSONKind(t.Elem())
		inner = strings.TrimPrefix(strings.TrimPrefix(inner, "an "), "a ")
		return "a list of " + plural(inner)
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return JSONKind(t.Elem())
	}
	return "a value"
}

func plural(s string) string {
	switch {
	case strings.HasPrefix(s, "list of "):
		return "lists of " + strings.TrimPrefix(s, "list of ")
	case s == "true or false":
		return "booleans"
	case strings.HasSuffix(s, "s"):
		return s
	}
	return s + "s"
}

func lineOf(data []byte, off int64) int { l, _ := lineCol(data, off); return l }

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// WriteMSRVTT writes info as an indented videodatainfo.json, atomically.
func WriteMSRVTT(path string, info *VideoDataInfo) error {
	return WriteFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(info)
	})
}
