package topics_test

import (
	"path/filepath"
	"testing"

	"github.com/neurotopics/neurotopics/internal/shareddata"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/topics"
)

// TestSyntheticConceptsRecovered trains on the synthetic corpus and checks
// the goal of the topic stage: the clips' topics recover the concept
// families the captions express (NMI ≥ 0.8 for shape, colour and motion).
func TestSyntheticConceptsRecovered(t *testing.T) {
	cfg := synth.DefaultConfig()
	if testing.Short() {
		cfg.Train, cfg.Val, cfg.Test = 2000, 0, 0
	}
	sc, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string][]string{}
	for i := range sc.Clips {
		truth[sc.Clips[i].ID] = sc.Clips[i].Concepts()
	}
	text := topics.DefaultTextOptions()
	text.Stem = true
	c, err := topics.FromCaptions(sc.Captions(), text)
	if err != nil {
		t.Fatal(err)
	}
	tc := topics.DefaultConfig()
	tc.K = 30
	m, err := topics.Train(c, tc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := topics.EvaluateConcepts(m, nil, truth)
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range []string{"shape", "color", "motion"} {
		f := rep.Family(fam)
		if f == nil {
			t.Fatalf("no score for family %s", fam)
		}
		t.Logf("%-7s NMI %.3f purity %.3f accuracy %.3f (%d topics, %d clips, %d skipped)", fam, f.NMI, f.Purity, f.Accuracy, f.Topics, f.Clips, f.Skipped)
		if f.NMI < 0.8 {
			t.Errorf("family %s: NMI %.3f, want ≥ 0.8", fam, f.NMI)
		}
	}
}

// TestMSVD trains the paper's setting (K = 100) on real captions when the
// shared MSVD folder is present, and checks the model is sensible: saved
// and loaded back, coherent label-derived topics.
func TestMSVD(t *testing.T) {
	if testing.Short() {
		t.Skip("MSVD training skipped in -short mode")
	}
	msvdDir, ok := shareddata.MSVDDir()
	if !ok {
		t.Skipf("MSVD captions not found (they live outside the repository; set %s, see datasets/)", shareddata.MSVDEnv)
	}
	caps, err := corpus.LoadCaptions(msvdDir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := topics.FromCaptions(caps, topics.DefaultTextOptions())
	if err != nil {
		t.Fatal(err)
	}
	cfg := topics.DefaultConfig()
	cfg.HeldOut = 0.05
	m, err := topics.Train(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := m.Labels(topics.DefaultLabelTopK, topics.DefaultLabelMinWeight)
	q, err := topics.Evaluate(m, c, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d clips, %d tokens, V=%d: trained in %.2fs, perplexity %.1f (held out %.1f), NPMI %.3f, label NPMI %.3f, diversity %.3f",
		len(m.IDs), c.NumTokens(), m.V, m.TrainSeconds, m.Perplexity, m.HeldOutPerplexity, q.NPMI, q.LabelNPMI, q.Diversity)
	if len(m.IDs) != 1970 || q.LabelTopicsUsed < 90 || q.LabelNPMI < 0.2 || m.HeldOutPerplexity > 2*m.Perplexity {
		t.Errorf("unexpected model: %d clips, %d topics used, label NPMI %.3f, perplexity %.1f / held out %.1f",
			len(m.IDs), q.LabelTopicsUsed, q.LabelNPMI, m.Perplexity, m.HeldOutPerplexity)
	}
	dir := t.TempDir()
	if err := topics.Save(dir, m, l, q); err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Load(dir); err != nil {
		t.Fatal(err)
	}
	if err := topics.WritePlot(filepath.Join(dir, "topics.png"), m, q); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkTrainMSVD times training with the default settings on MSVD
// (K = 100), when the shared MSVD folder is present. The side-by-side
// comparison with scikit-learn is `go run ./bench/topics`.
func BenchmarkTrainMSVD(b *testing.B) {
	msvdDir, ok := shareddata.MSVDDir()
	if !ok {
		b.Skipf("MSVD captions not found (set %s)", shareddata.MSVDEnv)
	}
	caps, err := corpus.LoadCaptions(msvdDir)
	if err != nil {
		b.Fatal(err)
	}
	c, err := topics.FromCaptions(caps, topics.DefaultTextOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := topics.Train(c, topics.DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}
