package corpus

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestEndlessInputRefusedBounded: every loader given an endless input
// (/dev/zero under the file name it expects) refuses it with the file's name
// after reading a bounded amount, not after filling memory.
func TestEndlessInputRefusedBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	link := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name string
		load func(path string) error
		want string
	}{
		{"videodatainfo.json", func(p string) error { _, err := LoadCaptions(p); return err }, "starts with byte 0x00; expected an MSR-VTT videodatainfo.json"},
		{"captions.tsv", func(p string) error { _, err := LoadCaptions(p); return err }, "line longer than"},
		{"features.npy", func(p string) error { _, err := ReadNPY(p); return err }, "npy"},
		{"ids.txt", func(p string) error { _, err := ReadIDList(p); return err }, "line longer than"},
		{"labels.csv", func(p string) error { _, err := ReadLabels(p, "label"); return err }, "labels.csv"},
		{"vocab.txt", func(p string) error { _, err := LoadVocab(p); return err }, "line longer than"},
		{"config.json", func(p string) error { var v map[string]any; return ReadJSONFile(p, &v) }, "config.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := link(c.name)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := c.load(path)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
				t.Errorf("got %v; want an error naming %s with %q", err, c.name, c.want)
			}
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 16<<20 {
				t.Errorf("refusing it allocated %d MiB", grown>>20)
			}
		})
	}
}
