package revise

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// tinyCaptions are the captions of the four clips of the tiny corpus.
var tinyCaptions = []string{
	"a red circle moves left",
	"a blue square moves right",
	"a green star is growing",
	"a yellow heart shrinks",
}

// tinyTrained trains a tiny captioner until it captions each of four clips
// with random features by its caption.
func tinyTrained(t *testing.T) (*captioner.Model, *captioner.Data, []string) {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 7))
	caps := corpus.NewCaptions()
	targets := &captioner.Targets{Names: []string{"t0", "t1", "t2", "t3"}, ByClip: map[string][]float32{}}
	var ids []string
	var data []float32
	for i, c := range tinyCaptions {
		id := fmt.Sprintf("clip%d", i)
		ids = append(ids, id)
		caps.Add("train", id, c)
		for range 8 * 12 {
			data = append(data, float32(r.NormFloat64()))
		}
		v := make([]float32, 4)
		v[i] = 1
		targets.ByClip[id] = v
	}
	feats, err := corpus.FeaturesFromStacked(&corpus.Array{Shape: []int{4, 8, 12}, Data: data, DType: corpus.DTypeFloat32}, ids, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	d := &captioner.Data{Features: feats, Captions: caps, Targets: targets}
	m, _, err := captioner.Train(context.Background(), d, captioner.TrainConfig{Backend: b, ValSplit: "-",
		Settings: "frames=8;encoder_dim=32;semantic_units=16;decoder_dim=32;max_words=8;batch_size=8;dropout=0;" +
			"warmup_steps=0;lr_schedule=constant;learning_rate=0.01;eval_every=0;checkpoint_every=0;train_steps=150"})
	if err != nil {
		t.Fatal(err)
	}
	return m, d, ids
}

// TestRealCaptionerRevision runs revision on a real (tiny, overfit)
// captioner: moving clip 0's semantic layer to clip 1's, unit by unit,
// turns its caption into clip 1's; explanations, replays and revise then
// retrain work end to end.
func TestRealCaptionerRevision(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny captioner (seconds)")
	}
	m, d, ids := tinyTrained(t)
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Setup(m, a, SetupConfig{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Topics.Source != LabelsPDM || r.Topics.Units() != 16 {
		t.Errorf("topics %+v", r.Topics)
	}
	var edits []Edit
	for i := range a[0] {
		if a[0][i] != a[1][i] {
			edits = append(edits, Set(i, float64(a[1][i])))
		}
	}
	rev, err := r.Revise(ids[0], a[0], Request{Edits: edits})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Before != tinyCaptions[0] || rev.After != "a blue square moves right" {
		t.Errorf("revision %s", rev)
	}
	if !strings.Contains(rev.Marked(), "{+blue+}") {
		t.Errorf("marked %q", rev.Marked())
	}
	if _, same, err := r.Replay(rev, a[0]); err != nil || !same {
		t.Errorf("replay: same=%v err=%v", same, err)
	}
	// Suppressing every unit gives every clip the same caption.
	all := make([]int, 16)
	for i := range all {
		all[i] = i
	}
	z0, _ := r.Revise(ids[0], a[0], Request{Suppress: all})
	z2, _ := r.Revise(ids[2], a[2], Request{Suppress: all})
	if z0.After != z2.After {
		t.Errorf("a = 0 gives %q and %q", z0.After, z2.After)
	}
	ex, err := r.Explain(ids[0], a[0], 3)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Caption != tinyCaptions[0] || len(ex.Words) != 6 {
		t.Errorf("explanation %s", ex)
	}
	// Topic requests resolve through the PDM labels.
	for k := range 4 {
		if us := r.Topics.UnitsFor(k); len(us) > 0 {
			if _, err := r.Revise(ids[0], a[0], Request{More: []string{fmt.Sprintf("t%d", k)}}); err != nil {
				t.Errorf("more of t%d: %v", k, err)
			}
		}
	}

	// Revise then retrain: clip 0 relabelled with the revised caption.
	revised := *rev
	dir := t.TempDir()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	out, res, err := Retrain(context.Background(), m, d, []Revision{revised}, RetrainConfig{Backend: b, Dir: dir, Steps: 5, Repeat: 2})
	if err != nil {
		t.Fatal(err)
	}
	if out.Step() != m.Step()+5 || res.Steps != 5 {
		t.Errorf("fine-tuned to step %d (%d steps); want %d", out.Step(), res.Steps, m.Step()+5)
	}
	if _, _, err := Retrain(context.Background(), m, d, nil, RetrainConfig{Backend: b, Dir: dir, Steps: 1}); err == nil || !strings.Contains(err.Error(), "already holds checkpoint") {
		t.Errorf("retrain into a used folder: %v", err)
	}
	rd, added, err := RevisedData(d, "train", []Revision{revised, {Clip: ids[1], Before: "x", After: "x"}}, 3)
	if err != nil || added != 1 || len(rd.Captions.ByClip[ids[0]]) != 4 || len(d.Captions.ByClip[ids[0]]) != 1 {
		t.Errorf("revised data: added %d, clip 0 has %d captions (original %d), err %v", added, len(rd.Captions.ByClip[ids[0]]), len(d.Captions.ByClip[ids[0]]), err)
	}
}
