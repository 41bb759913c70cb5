package transfer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzReadLabelsCSV checks that any label CSV either fails with an error
// that names the file or gives labels whose classes are sorted, distinct
// and all used, and whose clips all have a class.
func FuzzReadLabelsCSV(f *testing.F) {
	f.Add([]byte("clip_id,action\nvid1,walk\nvid2,run\nvid3,walk\n"))
	f.Add([]byte("\ufeffvideo_id,category,action\nvid1,3,jump\n\"vid,2\",4,\"sit down\"\n"))
	f.Add([]byte("id,action\r\nvid1, walk \r\n"))
	f.Add([]byte("clip_id,action\nvid1,walk\nvid1,run\n"))  // duplicate clip
	f.Add([]byte("clip_id,action,action\nvid1,walk,run\n")) // duplicate column
	f.Add([]byte("clip_id,action\nvid1,\n"))                // empty label
	f.Add([]byte("clip_id,action\nvid1,walk\nvid2\n"))      // short row
	f.Add([]byte("clip_id,action\nvid1,\"walk\n"))          // open quote
	f.Add([]byte("clip_id,label\nvid1,walk\n"))             // no such column
	f.Add([]byte("clip_id,action\nvid1,NaN\nvid2,1e999\n")) // numbers are text
	f.Add([]byte("clip_id,action\nvid1,\xff\xfe\n"))        // not UTF-8
	f.Add([]byte("clip_id,action\n"))                       // header only
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "labels.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := ReadLabelsCSV(path, "action")
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if !slices.IsSorted(l.Classes) || len(slices.Compact(slices.Clone(l.Classes))) != len(l.Classes) {
			t.Fatalf("classes not sorted and distinct: %q", l.Classes)
		}
		used := make([]bool, len(l.Classes))
		for id, y := range l.ByClip {
			if id == "" || y < 0 || y >= len(l.Classes) {
				t.Fatalf("clip %q has class %d of %d", id, y, len(l.Classes))
			}
			used[y] = true
		}
		for k, u := range used {
			if !u {
				t.Fatalf("class %q has no clip", l.Classes[k])
			}
		}
		// The labels make a task (or fail with an error) without panicking.
		ids := make([]string, 0, len(l.ByClip))
		for id := range l.ByClip {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		half := len(ids) / 2
		NewTask(l, ids[:half], ids[half:])
	})
}
