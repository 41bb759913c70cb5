package main

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/video"
)

// envAsCLI makes the test binary act as the neurotopics command, so that a
// test can run it as a subprocess (xargs -P).
const envAsCLI = "NEUROTOPICS_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(envAsCLI) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// needFFmpeg skips a test without ffmpeg here; CI installs it, and there the
// test fails instead.
func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := video.FindTools(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have ffmpeg (scripts/install-ffmpeg.sh): %v", err)
		}
		t.Skipf("no ffmpeg here: %v", err)
	}
}

// videoRun is tinyRun's pipeline without its corpus flags, but for the
// encoder's fitting frames (the synthetic run's), and with two models
// (--paper=false): these tests are about the video path; the three-model
// run is TestRunPipeline's.
var videoRun = []string{"run", "--quick", "--quiet", "--steps", "30", "--transfer-seeds", "1", "--topics-k", "12", "--frame-fit-frames", "200",
	"--paper=false"}

// TestRunOnVideos exports a small synthetic corpus as lossless FFV1 videos
// and runs the pipeline on them: the metrics are the synthetic run's (of
// 8-bit frames), byte for byte. The H.264 export's run names concepts as
// well (CIDEr-D within 0.03) and its unit cards show the decoded frames.
func TestRunOnVideos(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline three times and decodes 320 videos (about three minutes); scripts/test.sh runs it")
	}
	needFFmpeg(t)
	root := t.TempDir()
	cache := filepath.Join(root, "cache")
	synth := filepath.Join(root, "synth")
	if out, err := run(t, append(tinyRun, "--paper=false", "--synth-frame-bits", "8", "--out", synth, "--cache", cache)...); err != nil {
		t.Fatalf("synthetic run: %v\n%s", err, out)
	}
	for _, codec := range []string{video.CodecFFV1, video.CodecH264} {
		export := filepath.Join(root, "export-"+codec)
		if out, err := run(t, append([]string{"export", "--videos", "--codec", codec, "--out", export}, tinyData...)...); err != nil {
			t.Fatalf("export --videos --codec %s: %v\n%s", codec, err, out)
		}
		out := filepath.Join(root, "run-"+codec)
		log, err := run(t, append(videoRun, "--videos", filepath.Join(export, "videos"), "--captions", filepath.Join(export, "videodatainfo.json"),
			"--ground-truth", filepath.Join(export, dataset.GroundTruthFile), "--cache", cache, "--out", out)...)
		if err != nil {
			t.Fatalf("run --videos on the %s export: %v\n%s", codec, err, log)
		}
		if !strings.Contains(log, "160 clips with captions, 160 with videos, 160 with both") {
			t.Errorf("%s: the log does not count the clips:\n%s", codec, log)
		}
		if codec == video.CodecFFV1 {
			want, _ := os.ReadFile(filepath.Join(synth, "metrics.json"))
			got, _ := os.ReadFile(filepath.Join(out, "metrics.json"))
			if !bytes.Equal(got, want) {
				t.Errorf("run on the lossless videos: metrics.json differs from the synthetic run's:\n%s\n---\n%s", got, want)
			}
			if s, w := sections(t, out), sections(t, synth); !reflect.DeepEqual(s, w) {
				t.Errorf("sections %v; want the synthetic run's %v", s, w)
			}
			continue
		}
		sm, vm := readMetrics(t, synth), readMetrics(t, out)
		for name, m := range sm["captioning"].(map[string]any)["models"].(map[string]any) {
			want := m.(map[string]any)["CIDEr-D"].(float64)
			got := vm["captioning"].(map[string]any)["models"].(map[string]any)[name].(map[string]any)["CIDEr-D"].(float64)
			if math.Abs(got-want) > 0.03 {
				t.Errorf("%s on H.264 videos: CIDEr-D %.3f; the synthetic run's %.3f (more than 0.03 apart)", name, got, want)
			}
		}
		// Unit cards hold the bar chart and, below it, strips of decoded frames.
		cards, _ := filepath.Glob(filepath.Join(out, "plots", "neurons-*", "unit_*.png"))
		if len(cards) == 0 {
			t.Fatal("no unit cards in the H.264 run's report")
		}
		chart := 7 * interpret.FigureDPI * 100 / 254 // the chart is 7 cm high
		f, err := os.Open(cards[0])
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if h := img.Bounds().Dy(); h < chart+60 {
			t.Errorf("unit card %s is %d px high: no frame strips below its %d-px chart", cards[0], h, chart)
		}
	}
}

// TestFeaturesShardedWithXargs decodes videos in 2 shards run side by side by
// xargs -P 2, merges them, and gets the unsharded run's features, byte for
// byte; run --features on the folder uses them.
func TestFeaturesShardedWithXargs(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 60 videos three times and runs the pipeline (about a minute); scripts/test.sh runs it")
	}
	needFFmpeg(t)
	if _, err := exec.LookPath("xargs"); err != nil {
		t.Skip("no xargs")
	}
	root := t.TempDir()
	export := filepath.Join(root, "export")
	small := []string{"--quick", "--synth-train", "40", "--synth-val", "10", "--synth-test", "10"}
	if out, err := run(t, append([]string{"export", "--videos", "--out", export, "--without-truth"}, small...)...); err != nil {
		t.Fatalf("export --videos: %v\n%s", err, out)
	}
	videos, captions := filepath.Join(export, "videos"), filepath.Join(export, "videodatainfo.json")
	one := filepath.Join(root, "one")
	if out, err := run(t, "features", "--videos", videos, "--captions", captions, "--frame-fit-frames", "200", "--jobs", "2", "--out", one); err != nil {
		t.Fatalf("features: %v\n%s", err, out)
	}
	shards := filepath.Join(root, "shards")
	script := fmt.Sprintf(`printf '1\n2\n' | xargs -P 2 -I{} %q features --videos %q --captions %q --shard {}/2 --jobs 1 --out %q/{}`,
		os.Args[0], videos, captions, shards)
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), envAsCLI+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	merged := filepath.Join(root, "merged")
	if out, err := run(t, "features", "merge", "--captions", captions, "--frame-fit-frames", "200", "--out", merged,
		filepath.Join(shards, "1"), filepath.Join(shards, "2")); err != nil {
		t.Fatalf("features merge: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(one, framenc.FeaturesFile))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(merged, framenc.FeaturesFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("features merged from 2 shards differ from the unsharded run's")
	}
	// A shard missing: merge names the problem.
	out, err := run(t, "features", "merge", "--captions", captions, "--out", filepath.Join(root, "bad"), filepath.Join(shards, "2"))
	if err == nil || !strings.Contains(err.Error(), "1 folders given for 2 shards") {
		t.Errorf("merge of 1 of 2 shards: %v\n%s", err, out)
	}
	// The merged folder is a dataset for run (with frames for unit cards).
	log, err := run(t, append(videoRun, "--captions", captions, "--features", merged, "--out", filepath.Join(root, "run"))...)
	if err != nil {
		t.Fatalf("run --features on the merged folder: %v\n%s", err, log)
	}
	if cards, _ := filepath.Glob(filepath.Join(root, "run", "plots", "neurons-*", "unit_*.png")); len(cards) == 0 {
		t.Error("run on the merged folder wrote no unit cards")
	}
}

// TestVideosWithoutFFmpeg: every video command says how to install ffmpeg.
func TestVideosWithoutFFmpeg(t *testing.T) {
	t.Setenv(video.EnvFFmpeg, filepath.Join(t.TempDir(), "no-ffmpeg"))
	dir := t.TempDir()
	for _, args := range [][]string{
		{"export", "--videos", "--out", dir},
		{"features", "--videos", dir, "--captions", dir, "--out", dir},
		{"run", "--videos", dir, "--captions", filepath.Join("..", "..", "pkg", "corpus", "testdata"), "--out", dir},
	} {
		_, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), "apt-get install ffmpeg") {
			t.Errorf("%v without ffmpeg: %v; want the install command", args, err)
		}
	}
}
