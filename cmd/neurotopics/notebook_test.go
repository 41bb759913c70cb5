package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/notebooks/nbdata"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/nbui"
)

// TestNotebookMatchesRun runs the notebooks' quick setting as the notebooks
// run it (nbdata.Synthetic, then nbui.RunPipeline) and `neurotopics run`
// with the setting's flags (Setting.RunArgs): both run the same stages
// (the same folder names, which hash every stage's configuration) and
// write byte-identical metrics.json and config.json — one pipeline.
func TestNotebookMatchesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline twice (about a minute); scripts/test.sh runs it")
	}
	root := t.TempDir()
	s := nbui.QuickSetting()
	s.Out, s.Cache = filepath.Join(root, "notebook"), filepath.Join(root, "notebook-features")
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	d, source, err := nbdata.Synthetic(b, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nbui.RunPipeline(context.Background(), b, d, source, s); err != nil {
		t.Fatalf("notebook run: %v", err)
	}
	cli := filepath.Join(root, "cli")
	args := append(append([]string{"run"}, s.RunArgs(nil)...), "--quiet", "--out", cli, "--cache", filepath.Join(root, "cli-features"))
	if out, err := run(t, args...); err != nil {
		t.Fatalf("neurotopics %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if a, c := stageFolders(t, s.Out), stageFolders(t, cli); !slices.Equal(a, c) || len(a) == 0 {
		t.Errorf("the notebook ran the stages\n  %s\n`neurotopics run` ran\n  %s", strings.Join(a, "\n  "), strings.Join(c, "\n  "))
	}
	for _, f := range []string{"metrics.json", "config.json"} {
		nb, err := os.ReadFile(filepath.Join(s.Out, f))
		if err != nil {
			t.Fatal(err)
		}
		c, err := os.ReadFile(filepath.Join(cli, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(nb, c) {
			t.Errorf("%s differs between the notebook's run (%d bytes) and `neurotopics run` (%d bytes):\nnotebook: %.600s\nrun:      %.600s", f, len(nb), len(c), nb, c)
		}
	}
}

// stageFolders lists the finished stage folders (<stage>-<key>) of a run.
func stageFolders(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(out, "stages"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(out, "stages", e.Name(), "stage.json")); err == nil {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestNotebookVideosMatchRun runs the notebook's video section on its demo
// videos (nbdata.DemoVideos, nbdata.Videos, then nbui.RunPipeline) and the
// `neurotopics run --videos` command nbdata.Videos prints: the same stages
// and byte-identical metrics.json and config.json.
func TestNotebookVideosMatchRun(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 60 videos twice and runs the pipeline twice (about a minute); scripts/test.sh runs it")
	}
	needFFmpeg(t)
	root := t.TempDir()
	src, err := nbdata.DemoVideos(filepath.Join(root, "demo"))
	if err != nil {
		t.Fatal(err)
	}
	s := nbui.QuickSetting()
	s.Out, s.Cache = filepath.Join(root, "notebook"), filepath.Join(root, "notebook-cache")
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	d, source, command, err := nbdata.Videos(context.Background(), b, s, src, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nbui.RunPipeline(context.Background(), b, d, source, s); err != nil {
		t.Fatalf("notebook run: %v", err)
	}
	var args []string
	for _, f := range strings.Fields(command)[1:] { // the values have no spaces here
		if v, err := strconv.Unquote(f); err == nil {
			f = v
		}
		args = append(args, f)
	}
	cli := filepath.Join(root, "cli")
	args = append(args, "--quiet", "--out", cli, "--cache", filepath.Join(root, "cli-cache"))
	if out, err := run(t, args...); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	if a, c := stageFolders(t, s.Out), stageFolders(t, cli); !slices.Equal(a, c) || len(a) == 0 {
		t.Errorf("the notebook ran the stages\n  %s\n%s ran\n  %s", strings.Join(a, "\n  "), command, strings.Join(c, "\n  "))
	}
	for _, f := range []string{"metrics.json", "config.json"} {
		nb, _ := os.ReadFile(filepath.Join(s.Out, f))
		c, _ := os.ReadFile(filepath.Join(cli, f))
		if len(nb) == 0 || !bytes.Equal(nb, c) {
			t.Errorf("%s differs between the notebook's video run (%d bytes) and %s (%d bytes)", f, len(nb), command, len(c))
		}
	}
}
