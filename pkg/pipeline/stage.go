// Package pipeline runs the stages of neurotopics (synth → topics → train →
// interpret → transfer → revise → report) as named steps whose outputs are
// cached on disk, in the manner of NetDissect's pipeline: a stage whose
// output exists for the same configuration is skipped unless forced.
//
// A stage's output folder is Root/<name>-<key>, where key is a hash of the
// stage's configuration and of the keys of the stages it depends on, so
// changing anything upstream re-runs everything downstream. The folder is
// built under a temporary name and renamed into place only when the stage
// succeeds, so an interrupted run never leaves a half-written output that a
// later run would mistake for a finished one.
package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Stage is one step of the pipeline.
type Stage struct {
	// Name names the stage ("topics", "train-lambda0.1-seed1", …): letters,
	// digits, '-', '_' and '.'.
	Name string
	// Config is everything that determines the stage's output; it is
	// marshalled to JSON, hashed, and saved beside the output.
	Config any
	// After lists the results of the stages this one reads.
	After []*Result
	// Run computes the output into dir (an empty folder).
	Run func(dir string) error
}

// Result is a finished stage.
type Result struct {
	Name string
	// Dir is the folder with the stage's output.
	Dir string
	// Key identifies the stage's configuration and inputs.
	Key string
	// Cached is true when the output was found on disk and not recomputed.
	Cached bool
	// Seconds is how long Run took (the recorded time when Cached).
	Seconds float64
}

// Runner runs stages under Root. Do is safe for concurrent use by stages
// with different names.
type Runner struct {
	mu   sync.Mutex
	Root string
	// Force recomputes every stage even when its output exists.
	Force bool
	// Log receives one line per stage (nil: discard).
	Log io.Writer
	// Results lists the stages run or found, in order.
	Results []*Result
}

// manifest is written as stage.json in every finished output folder.
type manifest struct {
	Name    string          `json:"name"`
	Key     string          `json:"key"`
	Config  json.RawMessage `json:"config"`
	After   []string        `json:"after,omitempty"`
	Seconds float64         `json:"seconds"`
	// Files maps every file the stage wrote (a path relative to its folder)
	// to its size and SHA-256: a stage whose files differ is damaged.
	Files map[string]string `json:"files,omitempty"`
}

const manifestFile = "stage.json"

// Key returns the key of stage s: a hash of its name, its configuration and
// the keys of the stages it depends on.
func Key(s Stage) (string, error) {
	cfg, err := json.Marshal(s.Config)
	if err != nil {
		return "", fmt.Errorf("stage %s: configuration cannot be saved as JSON: %w", s.Name, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", s.Name, cfg)
	for _, a := range s.After {
		fmt.Fprintf(h, "%s=%s\n", a.Name, a.Key)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// Do runs stage s, or finds its finished output.
func (r *Runner) Do(s Stage) (*Result, error) {
	if !validName(s.Name) {
		return nil, fmt.Errorf("stage name %q: use letters, digits, '-', '_' and '.'", s.Name)
	}
	for _, a := range s.After {
		if a == nil {
			return nil, fmt.Errorf("stage %s: depends on a stage that did not run", s.Name)
		}
	}
	key, err := Key(s)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(r.Root, s.Name+"-"+key)
	res := &Result{Name: s.Name, Dir: dir, Key: key}
	if !r.Force {
		if m, err := readManifest(dir); err == nil && m.Key == key {
			bad := verify(dir, m.Files)
			if bad == "" {
				res.Cached, res.Seconds = true, m.Seconds
				r.logf("%-28s cached  %s", s.Name, dir)
				r.record(res)
				return res, nil
			}
			r.logf("%-28s damaged (%s differs from what the stage wrote): computing it again", s.Name, bad)
		}
	}
	if err := os.MkdirAll(r.Root, 0o755); err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.Name, err)
	}
	tmp, err := os.MkdirTemp(r.Root, "."+s.Name+"-"+key+".tmp")
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.Name, err)
	}
	defer os.RemoveAll(tmp) // a no-op after the rename
	r.logf("%-28s running", s.Name)
	start := time.Now()
	if err := s.Run(tmp); err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.Name, err)
	}
	res.Seconds = time.Since(start).Seconds()
	cfg, _ := json.Marshal(s.Config)
	m := manifest{Name: s.Name, Key: key, Config: cfg, Seconds: res.Seconds}
	for _, a := range s.After {
		m.After = append(m.After, a.Name+"-"+a.Key)
	}
	if m.Files, err = fileSums(tmp); err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.Name, err)
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, manifestFile), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.Name, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("stage %s: removing the old output: %w", s.Name, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.Name, err)
	}
	r.logf("%-28s done    %.1fs  %s", s.Name, res.Seconds, dir)
	r.record(res)
	return res, nil
}

// record appends a finished stage to Results.
func (r *Runner) record(res *Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Results = append(r.Results, res)
}

func readManifest(dir string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, manifestFile), err)
	}
	if m.Key == "" {
		return nil, errors.New("manifest without key")
	}
	return &m, nil
}

// fileSums returns the size and SHA-256 of every file under dir.
func fileSums(dir string) (map[string]string, error) {
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		sum, err := fileSum(path)
		if err != nil {
			return err
		}
		sums[filepath.ToSlash(rel)] = sum
		return nil
	})
	return sums, err
}

// fileSum is "<size> sha256:<hex>" of a file.
func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return fmt.Sprintf("%d sha256:%s", n, hex.EncodeToString(h.Sum(nil))), nil
}

// verify returns the first file of sums that is missing or differs under
// dir ("" when all are as written). A manifest without sums (written before
// stages recorded them) is taken as it is.
func verify(dir string, sums map[string]string) string {
	for rel, want := range sums {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		st, err := os.Stat(path)
		if err != nil {
			return rel + " (missing)"
		}
		if size := fmt.Sprintf("%d ", st.Size()); len(want) < len(size) || want[:len(size)] != size {
			return rel
		}
		if got, err := fileSum(path); err != nil || got != want {
			return rel
		}
	}
	return ""
}

func validName(s string) bool {
	if s == "" || s[0] == '.' {
		return false
	}
	for _, r := range s {
		ok := r == '-' || r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

func (r *Runner) logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Log != nil {
		fmt.Fprintf(r.Log, format+"\n", args...)
	}
}
