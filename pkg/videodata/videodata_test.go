package videodata

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/video"
)

// testTools finds ffmpeg; without it the test is skipped here and fails in
// CI (which installs it).
func testTools(t *testing.T) video.Tools {
	t.Helper()
	tools, err := video.FindTools()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have ffmpeg (scripts/install-ffmpeg.sh): %v", err)
		}
		t.Skipf("no ffmpeg here: %v", err)
	}
	return tools
}

// smallCorpus is a synthetic corpus of 8-bit frames and its encoder.
func smallCorpus(t *testing.T) (synthexp.Config, *synthexp.Corpus) {
	t.Helper()
	cfg := synthexp.DefaultConfig()
	cfg.CacheDir = ""
	cfg.Synth.Train, cfg.Synth.Val, cfg.Synth.Test = 24, 8, 8
	cfg.Synth.FrameBits = 8
	cfg.Encoder.FitFrames = 100
	cfg.Encoder.Filters, cfg.Encoder.ShapeFilters, cfg.Encoder.Dim = 8, 4, 32
	c, err := synthexp.Generate(cfg.Synth)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, c
}

// exports holds the small corpus exported once per codec for every test
// (copied before a test changes it).
var (
	exportRoot string
	exportMu   sync.Mutex
	exportDirs = map[string]string{}
)

func TestMain(m *testing.M) {
	var err error
	if exportRoot, err = os.MkdirTemp("", "videodata-test"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(exportRoot)
	os.Exit(code)
}

// exported returns a folder holding smallCorpus exported with codec (and its
// ground truth); tests must not change it.
func exported(t *testing.T, tools video.Tools, codec string) string {
	t.Helper()
	exportMu.Lock()
	defer exportMu.Unlock()
	if d, ok := exportDirs[codec]; ok {
		return d
	}
	_, c := smallCorpus(t)
	dir := filepath.Join(exportRoot, codec)
	if err := synthexp.ExportVideosOf(context.Background(), tools, c, dir, synthexp.VideoExport{Codec: codec, Scale: 1, Jobs: 2}, false); err != nil {
		t.Fatal(err)
	}
	exportDirs[codec] = dir
	return dir
}

// TestLosslessVideosAreTheCorpus exports a corpus of 8-bit frames as FFV1
// videos, loads them back through ffmpeg, and finds the corpus' frames bit
// for bit, and the synthetic path's features.
func TestLosslessVideosAreTheCorpus(t *testing.T) {
	tools := testTools(t)
	ctx := context.Background()
	cfg, c := smallCorpus(t)
	dir := exported(t, tools, video.CodecFFV1)
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(ctx, b, Config{Source: Source{Videos: filepath.Join(dir, synthexp.ExportVideos), Captions: []string{filepath.Join(dir, synthexp.ExportCaptions)}},
		Decode: video.DefaultDecodeConfig(), Encoder: cfg.Encoder, GroundTruth: filepath.Join(dir, dataset.GroundTruthFile), CacheDir: t.TempDir(), Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d.NumClips() != len(c.Clips) || len(d.Join.Failed) != 0 {
		t.Fatalf("%d clips, %d failed; want %d, 0", d.NumClips(), len(d.Join.Failed), len(c.Clips))
	}
	for i := range c.Clips {
		got, T, H, W, ok := d.Frames(c.Clips[i].ID)
		if !ok || T != 12 || H != 32 || W != 32 || !slices.Equal(got, c.Frames(i)) {
			t.Fatalf("clip %s: decoded frames differ from the corpus' (ok %v, %d×%d×%d)", c.Clips[i].ID, ok, T, H, W)
		}
	}
	p, err := synthexp.Prepare(b, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := p.Data.Features
	for i, id := range want.IDs {
		k := d.Features.Index(id)
		if k < 0 || !slices.Equal(d.Features.Data[k], want.Data[i]) {
			t.Fatalf("clip %s: features from the videos differ from the synthetic path's", id)
		}
	}
}

// TestBadVideosCounted puts every kind of bad video beside good ones: each
// is listed with its file and reason, the others are used, and the counts
// reach the dataset's Join.
func TestBadVideosCounted(t *testing.T) {
	tools := testTools(t)
	ctx := context.Background()
	cfg, c := smallCorpus(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(exported(t, tools, video.CodecH264))); err != nil {
		t.Fatal(err)
	}
	vdir := filepath.Join(dir, synthexp.ExportVideos)
	ids := []string{c.Clips[0].ID, c.Clips[1].ID, c.Clips[2].ID, c.Clips[3].ID}
	good, _ := os.ReadFile(filepath.Join(vdir, ids[0]+".mp4"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(vdir, ids[0]+".mp4"), good[:len(good)/4], 0o644)) // truncated
	must(os.WriteFile(filepath.Join(vdir, ids[1]+".mp4"), nil, 0o644))                // zero length
	must(os.Remove(filepath.Join(vdir, ids[2]+".mp4")))                               // no file
	must(os.WriteFile(filepath.Join(vdir, ids[2]+".avi"), []byte("text, not a video"), 0o644))
	must(os.Remove(filepath.Join(vdir, ids[3]+".mp4")))               // captions without a video
	must(os.WriteFile(filepath.Join(vdir, "stray.mp4"), good, 0o644)) // a video without captions
	must(os.WriteFile(filepath.Join(vdir, "notes.txt"), []byte("ignored"), 0o644))
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(ctx, b, Config{Source: Source{Videos: vdir, Captions: []string{filepath.Join(dir, synthexp.ExportCaptions)}},
		Decode: video.DefaultDecodeConfig(), Encoder: cfg.Encoder, CacheDir: filepath.Join(dir, "cache"), Jobs: 2, MaxMissing: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	j := d.Join
	if j.Joined != len(c.Clips)-4 || len(j.Failed) != 3 || len(j.NoFeatures) != 4 || !slices.Equal(j.NoCaptions, []string{"stray"}) {
		t.Fatalf("join %+v; want %d joined, 3 failed, 4 without video, stray without captions", j, len(c.Clips)-4)
	}
	text := strings.Join(j.Lines(), "\n")
	for _, w := range []string{ids[0] + ".mp4", ids[1] + ".mp4", ids[2] + ".avi", "3 clips could not be read", "1 clip has videos but no captions"} {
		if !strings.Contains(text, w) {
			t.Errorf("the join's lines do not name %q:\n%s", w, text)
		}
	}
	// Too many missing: the error says how many and how to go on.
	_, err = Load(ctx, b, Config{Source: Source{Videos: vdir, Captions: []string{filepath.Join(dir, synthexp.ExportCaptions)}},
		Decode: video.DefaultDecodeConfig(), Encoder: cfg.Encoder, CacheDir: filepath.Join(dir, "cache"), Jobs: 2, MaxMissing: 0.05})
	if err == nil || !strings.Contains(err.Error(), "--max-missing") || !strings.Contains(err.Error(), "could not be read") {
		t.Errorf("more missing than allowed: %v", err)
	}
}

// TestShardsMergeToTheSame extracts in 2 shards and merges: the features are
// byte-identical to one extraction's; a missing or repeated shard is an
// error.
func TestShardsMergeToTheSame(t *testing.T) {
	tools := testTools(t)
	ctx := context.Background()
	cfg, c := smallCorpus(t)
	src := exported(t, tools, video.CodecFFV1)
	dir := t.TempDir()
	plan, err := NewPlan(Source{Videos: filepath.Join(src, synthexp.ExportVideos), Captions: []string{filepath.Join(src, synthexp.ExportCaptions)}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	build := func(m *Manifest, out string) []byte {
		t.Helper()
		if _, err := Build(b, plan.Captions, m, out, BuildConfig{Encoder: cfg.Encoder, FeatureDir: out}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(out, framenc.FeaturesFile))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	one := filepath.Join(dir, "one")
	m, err := Extract(ctx, tools, plan, one, ExtractConfig{Decode: video.DefaultDecodeConfig(), Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := build(m, one)
	var shards []string
	for i := 1; i <= 2; i++ {
		s := filepath.Join(dir, "shard", string(rune('0'+i)))
		sm, err := Extract(ctx, tools, plan, s, ExtractConfig{Decode: video.DefaultDecodeConfig(), Shard: Shard{i, 2}, Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(sm.Clips) != len(c.Clips)/2 {
			t.Errorf("shard %d/2 has %d clips; want %d", i, len(sm.Clips), len(c.Clips)/2)
		}
		shards = append(shards, s)
	}
	if _, err := Merge(shards[:1], filepath.Join(dir, "bad")); err == nil || !strings.Contains(err.Error(), "1 folders given for 2 shards") {
		t.Errorf("merging one of two shards: %v", err)
	}
	if _, err := Merge([]string{shards[0], shards[0]}, filepath.Join(dir, "bad")); err == nil || !strings.Contains(err.Error(), "are both shard 1/2") {
		t.Errorf("merging a shard twice: %v", err)
	}
	merged := filepath.Join(dir, "merged")
	mm, err := Merge(shards, merged)
	if err != nil {
		t.Fatal(err)
	}
	if got := build(mm, merged); !slices.Equal(got, want) {
		t.Error("features merged from 2 shards differ from one extraction's")
	}
	// The merged folder opens as a dataset, with frames.
	d, err := Open(b, []string{filepath.Join(src, synthexp.ExportCaptions)}, merged, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, ok := d.Frames(c.Clips[0].ID); !ok {
		t.Error("the merged folder's dataset has no frames for unit cards")
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"1/1", true}, {"2/3", true}, {"0/2", false}, {"3/2", false}, {"1", false}, {"a/b", false}, {"1/0", false}} {
		_, err := ParseShard(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseShard(%q) = %v; want ok %v", tc.in, err, tc.ok)
		}
	}
}

// TestExtractResumes interrupts an extraction after a few clips: the clips
// decoded so far stay, and the next extraction decodes only the rest.
func TestExtractResumes(t *testing.T) {
	tools := testTools(t)
	_, c := smallCorpus(t)
	src := exported(t, tools, video.CodecFFV1)
	plan, err := NewPlan(Source{Videos: filepath.Join(src, synthexp.ExportVideos), Captions: []string{filepath.Join(src, synthexp.ExportCaptions)}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Extract(ctx, tools, plan, out, ExtractConfig{Decode: video.DefaultDecodeConfig(), Jobs: 1, Progress: func(done, _ int) {
		if done == 5 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("an interrupted extraction returned no error")
	}
	first, _ := filepath.Glob(filepath.Join(out, FramesDir, "*.npy"))
	if len(first) < 5 || len(first) >= len(c.Clips) {
		t.Fatalf("%d clips decoded before the interrupt; want 5 or a few more, fewer than %d", len(first), len(c.Clips))
	}
	before := map[string]int64{}
	for _, f := range first {
		st, _ := os.Stat(f)
		before[f] = st.ModTime().UnixNano()
	}
	m, err := Extract(context.Background(), tools, plan, out, ExtractConfig{Decode: video.DefaultDecodeConfig(), Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Clips) != len(c.Clips) {
		t.Fatalf("the resumed extraction has %d clips; want %d", len(m.Clips), len(c.Clips))
	}
	for f, mt := range before {
		if st, _ := os.Stat(f); st.ModTime().UnixNano() != mt {
			t.Errorf("%s was decoded again after the resume", filepath.Base(f))
		}
	}
}
