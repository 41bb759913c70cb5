package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Caption file formats named by LoadCaptionFile.
const (
	FormatMSVD        = "MSVD lines"                   // clipID<TAB>caption
	FormatMSRVTT      = "MSR-VTT videodatainfo.json"   // {"videos": …, "sentences": …}
	FormatCocoResults = "coco-style results list"      // [{"image_id"|"video_id": …, "caption": …}]
	FormatCocoAnnots  = "coco-style annotations"       // {"annotations": [{"image_id": …, "caption": …}]}
	FormatCaptionMap  = "JSON map of clip to captions" // {"clip": "caption"} or {"clip": ["caption", …]}
)

// LoadCaptionFile reads the captions of one file for scoring, whichever of
// these layouts it has:
//   - a file whose name does not end in .json: MSVD lines `clipID<TAB>caption`
//     (see ReadMSVD; a clip may have several lines);
//   - a .json file: see ReadCaptionsJSON.
//
// A folder is read as LoadCaptions reads it (its videodatainfo.json, or its
// *.tsv and *.txt files). It returns the captions and the format found.
func LoadCaptionFile(path string) (*Captions, string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, "", fmt.Errorf("reading captions: %w", err)
	}
	if st.IsDir() {
		c, err := LoadCaptions(path)
		if err != nil {
			return nil, "", err
		}
		format := FormatMSVD
		if len(c.Files) == 1 && strings.EqualFold(filepath.Ext(c.Files[0]), ".json") {
			format = FormatMSRVTT
		}
		return c, format, nil
	}
	if !strings.EqualFold(filepath.Ext(path), ".json") {
		c := NewCaptions()
		if err := c.readMSVDFile(path); err != nil {
			return nil, "", err
		}
		return c, FormatMSVD, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("reading captions: %w", err)
	}
	defer f.Close()
	data, err := readJSONBytes(f, path, MaxMSRVTTBytes, "a JSON captions file", "corpus.MaxMSRVTTBytes")
	if err != nil {
		return nil, "", err
	}
	c, format, err := ReadCaptionsJSON(data, path)
	if err != nil {
		return nil, "", err
	}
	c.Files = append(c.Files, path)
	return c, format, nil
}

// ReadCaptionsJSON reads captions from a JSON document in one of these
// layouts (name is used in error messages):
//   - a coco-style results list, [{"image_id": 42, "caption": "…"}, …], with
//     "video_id" accepted instead of "image_id" and ids given as strings or
//     numbers (the number's JSON text is the clip id);
//   - a coco-style annotations file, {"annotations": [ the same objects ]};
//   - an MSR-VTT videodatainfo.json, an object with "sentences" (ReadMSRVTT);
//   - a map from clip id to a caption or a list of captions,
//     {"clip1": "a caption", "clip2": ["one", "two"]}.
//
// Every caption must be a non-empty string; an entry without a caption or
// an id, a duplicate key of the map, and anything else unexpected is an
// error naming the entry. Captions keep their file order; all go to split
// "all" (MSR-VTT files keep their splits).
func ReadCaptionsJSON(data []byte, name string) (*Captions, string, error) {
	if err := checkUTF8JSON(data, name); err != nil {
		return nil, "", err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, "", fmt.Errorf("%s: empty file; expected a JSON list of {\"image_id\" or \"video_id\", \"caption\"} or an object", name)
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, "", fmt.Errorf("%s: %s", name, DescribeJSONError(data, err))
	}
	c := NewCaptions()
	switch trimmed[0] {
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, "", fmt.Errorf("%s: %s", name, DescribeJSONError(data, err))
		}
		if err := c.addCaptionList(list, name, ""); err != nil {
			return nil, "", err
		}
		return c, FormatCocoResults, nil
	case '{':
	default:
		return nil, "", fmt.Errorf("%s: expected a JSON list or object, found %q", name, Short(string(trimmed)))
	}
	keys, values, err := objectEntries(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	for i, k := range keys {
		switch k {
		case "sentences":
			if err := c.ReadMSRVTT(data, name); err != nil {
				return nil, "", err
			}
			return c, FormatMSRVTT, nil
		case "annotations":
			var list []json.RawMessage
			if err := json.Unmarshal(values[i], &list); err != nil {
				return nil, "", fmt.Errorf("%s: field \"annotations\": expected a list of {\"image_id\", \"caption\"}, found %s", name, Short(string(values[i])))
			}
			if err := c.addCaptionList(list, name, "annotations"); err != nil {
				return nil, "", err
			}
			return c, FormatCocoAnnots, nil
		}
	}
	seen := make(map[string]bool, len(keys))
	for i, id := range keys {
		if seen[id] {
			return nil, "", fmt.Errorf("%s: key %q appears twice; expected each clip once (put its captions in one list)", name, Short(id))
		}
		seen[id] = true
		if strings.TrimSpace(id) == "" {
			return nil, "", fmt.Errorf("%s: key %q: expected a clip id, found an empty key", name, id)
		}
		var one string
		var many []string
		if json.Unmarshal(values[i], &one) == nil {
			many = []string{one}
		} else if json.Unmarshal(values[i], &many) != nil {
			return nil, "", fmt.Errorf("%s: key %q: expected a caption (a string) or a list of captions, found %s", name, Short(id), Short(string(values[i])))
		}
		if len(many) == 0 {
			return nil, "", fmt.Errorf("%s: key %q: expected at least one caption, found an empty list", name, Short(id))
		}
		for j, cap := range many {
			if cap = strings.TrimSpace(cap); cap == "" {
				return nil, "", fmt.Errorf("%s: key %q, caption %d: expected a caption, found an empty string", name, Short(id), j)
			}
			c.Add("all", id, cap)
		}
	}
	if len(keys) == 0 {
		return nil, "", fmt.Errorf("%s: empty object (no clips); expected {\"clip\": \"caption\"} entries", name)
	}
	return c, FormatCaptionMap, nil
}

// addCaptionList adds coco-style {"image_id"|"video_id", "caption"} objects;
// field names the list in errors ("" for a top-level list).
func (c *Captions) addCaptionList(list []json.RawMessage, name, field string) error {
	if len(list) == 0 {
		return fmt.Errorf("%s: %sempty list (no captions); expected {\"image_id\" or \"video_id\", \"caption\"} objects", name, fieldPrefix(field))
	}
	for i, raw := range list {
		where := fmt.Sprintf("%s: %s[%d]", name, field, i)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			return fmt.Errorf("%s: expected an object {\"image_id\" or \"video_id\", \"caption\"}, found %s", where, Short(string(raw)))
		}
		id, err := captionID(obj)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		var caption string
		if err := jsonField(obj, "caption", &caption, true); err != nil {
			return fmt.Errorf("%s (%s): %w", where, Short(id), err)
		}
		if caption = strings.TrimSpace(caption); caption == "" {
			return fmt.Errorf("%s (%s): field \"caption\" is empty; expected a caption", where, Short(id))
		}
		c.Add("all", id, caption)
	}
	return nil
}

func fieldPrefix(field string) string {
	if field == "" {
		return ""
	}
	return fmt.Sprintf("field %q: ", field)
}

// captionID returns the clip id of a coco-style entry: its "video_id" or
// "image_id", a string or a number (kept as written).
func captionID(obj map[string]json.RawMessage) (string, error) {
	key := "image_id"
	raw, ok := obj[key]
	if v, both := obj["video_id"]; both {
		if ok {
			return "", errors.New(`has both "image_id" and "video_id"; expected one of them`)
		}
		key, raw, ok = "video_id", v, true
	}
	if !ok {
		return "", errors.New(`missing field "image_id" (or "video_id")`)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if strings.TrimSpace(s) == "" {
			return "", fmt.Errorf("field %q is empty; expected a clip id", key)
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("field %q: expected a string or a number, found %s", key, Short(string(raw)))
}

// objectEntries returns the keys and raw values of the valid JSON object
// data in file order, duplicates included (encoding/json would keep the
// last silently).
func objectEntries(data []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the opening brace
		return nil, nil, fmt.Errorf("reading the object: %w", err)
	}
	var keys []string
	var values []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("reading a key: %w", err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("reading the value of key %q: %w", t, err)
		}
		key, _ := t.(string)
		keys, values = append(keys, key), append(values, v)
	}
	return keys, values, nil
}

// checkUTF8JSON rejects invalid UTF-8, naming the line: JSON decoding would
// turn the bad bytes into U+FFFD silently.
func checkUTF8JSON(data []byte, name string) error {
	if utf8.Valid(data) {
		return nil
	}
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
