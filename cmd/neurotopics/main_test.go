package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the CLI in-process with args and returns its stdout.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestSynthThenStatsAndJoin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "synth")
	out, err := run(t, "synth", "--out", dir, "--train", "40", "--val", "5", "--test", "10", "--seed", "3")
	if err != nil {
		t.Fatalf("synth: %v\n%s", err, out)
	}
	if !strings.Contains(out, "wrote 55 clips") {
		t.Errorf("synth output: %q", out)
	}
	for _, f := range []string{"videodatainfo.json", "frames_train.npy", "ids_test.txt", "groundtruth.json", "groundtruth.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	out, err = run(t, "corpus", "stats", dir)
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	for _, frag := range []string{"clips            55", "caption lines    550", "split train     40 clips", "caption length (tokens):"} {
		if !strings.Contains(out, frag) {
			t.Errorf("stats output lacks %q:\n%s", frag, out)
		}
	}
	out, err = run(t, "corpus", "join", "--captions", dir,
		"--features", filepath.Join(dir, "frames_test.npy"), "--ids", filepath.Join(dir, "ids_test.txt"),
		"--labels", filepath.Join(dir, "groundtruth.csv"), "--label-column", "action")
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	if !strings.Contains(out, "joined 10 of 55 clips") || !strings.Contains(out, "features lacks 45 clips") {
		t.Errorf("join output: %s", out)
	}
	topicsDir := filepath.Join(t.TempDir(), "topics")
	out, err = run(t, "topics", "--captions", dir, "--k", "8", "--iterations", "20", "--out", topicsDir)
	if err != nil {
		t.Fatalf("topics: %v\n%s", err, out)
	}
	for _, f := range []string{"labels.csv", "topic_word.npy", "theta.npy", "topics.png", "topics.svg", "model.json"} {
		if _, err := os.Stat(filepath.Join(topicsDir, f)); err != nil {
			t.Errorf("topics did not write %s: %v", f, err)
		}
	}
	if _, err := run(t, "topics", "--captions", dir, "--k", "100000", "--out", t.TempDir()); err == nil {
		t.Error("K larger than the vocabulary accepted")
	}
}

func TestCLIErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"corpus", "stats", "/nonexistent/caps.tsv"}, "/nonexistent/caps.tsv"},
		{[]string{"synth", "--out", t.TempDir(), "--size", "4"}, "size"},
		{[]string{"corpus", "join"}, "--captions is required"},
	}
	for _, c := range cases {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.want)) {
			t.Errorf("%v: got %v, want error mentioning %q", c.args, err, c.want)
		}
	}
}

func TestHelpExplainsFlags(t *testing.T) {
	for _, args := range [][]string{{"synth", "--help"}, {"corpus", "stats", "--help"}, {"corpus", "join", "--help"}, {"topics", "--help"}} {
		out, err := run(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "Flags:") || !strings.Contains(out, "Examples:") {
			t.Errorf("%v: help lacks flags or examples:\n%s", args, out)
		}
	}
}

func TestBackendCommand(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	out, err := run(t, "backend")
	if err != nil || !strings.Contains(out, "check      ok") || !strings.Contains(out, "go:parallelism=-1") {
		t.Errorf("backend: %v\n%s", err, out)
	}
	t.Setenv("GOMLX_BACKEND", "xla:cpu")
	if _, err := run(t, "backend"); err == nil || !strings.Contains(err.Error(), "-tags xla") {
		t.Errorf("xla without the build tag: %v", err)
	}
}

// TestOutputFolderCheckedFirst: a command whose output folder cannot be
// written says so before any work (no feature cache made, no LDA run).
func TestOutputFolderCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	for _, args := range [][]string{
		{"run", "--quick", "--quiet", "--cache", cache, "--out", filepath.Join(file, "report")},
		{"topics", "--captions", filepath.Join("..", "..", "pkg", "corpus", "testdata", "msvd_small.tsv"), "--out", filepath.Join(file, "topics")},
		{"features", "--videos", dir, "--captions", dir, "--out", filepath.Join(file, "features")},
	} {
		out, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), "--out "+filepath.Join(file)) || !strings.Contains(err.Error(), "choose another folder") {
			t.Errorf("%s into a folder under a file: %v\n%s", args[0], err, out)
		}
		if strings.Count(err.Error(), args[0]+":") > 1 {
			t.Errorf("%s: the command's name repeats: %v", args[0], err)
		}
	}
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Errorf("run made its feature cache before finding --out unwritable: %v", err)
	}
}
