// Package layout checks rules of the repository's structure that no compiler
// checks: the synthetic generator stays in the synthetic experiments, the CLI
// calls the library (it never re-enters itself), and files stay readable.
package layout

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository's root folder.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOnlySynthexpImportsSynth: no package outside pkg/synthexp imports the
// synthetic generator (pkg/synth); the stages read a dataset.
func TestOnlySynthexpImportsSynth(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const synth = "github.com/neurotopics/neurotopics/pkg/synth"
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		pkg, imports := f[0], f[1:]
		if pkg == synth || pkg == synth+"exp" || strings.HasPrefix(pkg, synth+"exp/") {
			continue
		}
		for _, imp := range imports {
			if imp == synth {
				t.Errorf("%s imports %s: only pkg/synthexp may (use synthexp's dataset, ground truth and aliases)", pkg, synth)
			}
		}
	}
}

// TestFilesAndCLI: no Go file over 600 lines outside tests, and the CLI never
// runs one of its own commands from another (subcommand(…)).
func TestFilesAndCLI(t *testing.T) {
	err := filepath.WalkDir(root(t), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root(t) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := strings.Count(string(b), "\n"); n > 600 {
			t.Errorf("%s has %d lines; split it (at most 600)", path, n)
		}
		if strings.Contains(filepath.ToSlash(path), "cmd/") && strings.Contains(string(b), "subcommand(") {
			t.Errorf("%s re-enters the CLI (subcommand(…)): call the stage's function instead", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
