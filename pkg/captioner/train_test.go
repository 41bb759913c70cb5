package captioner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/neurotopics/neurotopics/pkg/corpus"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified
)

// TestInterpretiveGradientReachesEncoder checks, on an untrained model,
// that the interpretive loss has a non-zero gradient on the encoder's first
// layer (so λ > 0 shapes the video representation), and that the caption
// loss has none on the topic head (so with λ = 0 the head does not train).
func TestInterpretiveGradientReachesEncoder(t *testing.T) {
	outs := onTinyBatch(t, tinySettings, func(m *Model, nll, interp, _ *Node) []*Node {
		g := nll.Graph()
		enc := m.Store.GetVariable("/encoder/frame_proj/weights").NodeValue(g)
		head := m.Store.GetVariable("/topics/weights").NodeValue(g)
		gInterp := Gradient(ReduceMean(interp), enc)[0]
		gCaption := Gradient(ReduceMean(nll), head)[0]
		return []*Node{ReduceAllMax(Abs(gInterp)), ReduceAllMax(Abs(gCaption))}
	})
	if g := tensors.ToScalar[float32](outs[0]); !(g > 1e-6) {
		t.Errorf("max |∂ interpretive loss / ∂ encoder weights| = %v; want > 0", g)
	}
	if g := tensors.ToScalar[float32](outs[1]); g != 0 {
		t.Errorf("max |∂ caption loss / ∂ topic head weights| = %v; want 0", g)
	}
}

// onTinyBatch builds an untrained model with settings, runs rowLosses (not
// training) on a batch of 4 clips of tinyData, and returns the values of
// the nodes fn makes of the model and the batch's caption NLL [4],
// interpretive loss [4] and activity [4].
func onTinyBatch(t *testing.T, settings string, fn func(m *Model, nll, interp, activity *Node) []*Node) []*tensors.Tensor {
	t.Helper()
	d := tinyData(4, 1, 8, 12, 1)
	store, err := NewStore(settings)
	if err != nil {
		t.Fatal(err)
	}
	v := tinyVocab(d)
	m, err := New(testBackend(t), store, v, d.Targets.Names, d.Features.Dim)
	if err != nil {
		t.Fatal(err)
	}
	s, err := prepareSplit(d, d.SplitIDs("train"), v, m.arch)
	if err != nil {
		t.Fatal(err)
	}
	b := s.fill(s.pairs, 4, 1, m.arch)
	p := m.arch.p
	outs, err := model.CallOnceN(m.backend, m.Store, func(scope *model.Scope, in []*Node) []*Node {
		feats := Reshape(in[0], 4, p.Frames, m.FeatureDim)
		nll, _, interp, activity := m.arch.rowLosses(scope, feats, in[1], in[2], false)
		return fn(m, nll, interp, activity)
	}, tensors.FromFlatDataAndDimensions(b.feats, 4, p.Frames*m.FeatureDim),
		tensors.FromFlatDataAndDimensions(b.tokens, 4, b.steps+1),
		tensors.FromFlatDataAndDimensions(b.targets, 4, 4))
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// tinyVocab is the vocabulary of d's training captions.
func tinyVocab(d *Data) *corpus.Vocab {
	v, err := vocabOfSplit(d, "train", 1)
	if err != nil {
		panic(err)
	}
	return v
}

func TestCheckpointRoundTrip(t *testing.T) {
	d := tinyData(6, 2, 8, 12, 2)
	dir := t.TempDir()
	m, res := trainTiny(t, d, "train_steps=20;dropout=0.2;interp_lambda=0.1", dir)
	if res.Checkpoint == "" {
		t.Fatal("no checkpoint written")
	}
	before, err := m.Evaluate(d, "train", Greedy(), 0)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Load(testBackend(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Step() != 20 || m2.ParamsJSON() != m.ParamsJSON() {
		t.Errorf("loaded step %d params %s; want 20 and %s", m2.Step(), m2.ParamsJSON(), m.ParamsJSON())
	}
	after, err := m2.Evaluate(d, "train", Greedy(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if before.Loss != after.Loss || before.CaptionNLL != after.CaptionNLL || before.Interp != after.Interp || before.TopicMAP != after.TopicMAP {
		t.Errorf("eval after reload differs:\nbefore %+v\nafter  %+v", before, after)
	}
	for id, c := range before.Generated {
		if after.Generated[id] != c {
			t.Errorf("%s: caption %q before, %q after reload", id, c, after.Generated[id])
		}
	}

	// A damaged checkpoint is reported with its file name.
	raw, _ := os.ReadFile(res.Checkpoint)
	bad := filepath.Join(t.TempDir(), "ckpt-000000020.ntc")
	_ = os.WriteFile(bad, raw[:len(raw)-10], 0o644)
	if _, err := Load(testBackend(t), bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "truncated or damaged") {
		t.Errorf("truncated checkpoint: got %v", err)
	}
	// A checkpoint without part of the model is refused, not silently
	// completed with random weights.
	h, store, err := readCheckpoint(res.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteVariable("/decoder/word_gates"); err != nil {
		t.Fatal(err)
	}
	m3, err := New(testBackend(t), store, m.Vocab, h.TargetNames, h.FeatureDim)
	if err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(t.TempDir(), "ckpt-000000020.ntc")
	if err := m3.SaveFile(partial); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(testBackend(t), partial); err == nil || !strings.Contains(err.Error(), "lacks the model variables /decoder/word_gates") {
		t.Errorf("checkpoint without the word gates: got %v", err)
	}
	if _, err := Load(testBackend(t), t.TempDir()); err == nil || !strings.Contains(err.Error(), "no checkpoint in") {
		t.Errorf("empty folder: got %v", err)
	}
	if _, err := Load(testBackend(t), filepath.Join(t.TempDir(), "nope.ntc")); err == nil || !strings.Contains(err.Error(), "nope.ntc") {
		t.Errorf("missing file: got %v", err)
	}
}

func TestResumeKeepsStepsAndRefusesArchitectureChanges(t *testing.T) {
	d := tinyData(6, 2, 8, 12, 3)
	dir := t.TempDir()
	trainTiny(t, d, "train_steps=10;checkpoint_every=5;checkpoint_keep=3", dir)
	m, res := trainTiny(t, d, "train_steps=16;checkpoint_every=5;checkpoint_keep=3", dir)
	if res.Resumed != 10 || res.Steps != 6 || m.Step() != 16 {
		t.Errorf("resumed at %d, ran %d steps, ended at %d; want 10, 6, 16", res.Resumed, res.Steps, m.Step())
	}
	list, _ := ListCheckpoints(dir)
	var steps []string
	for _, p := range list {
		steps = append(steps, filepath.Base(p))
	}
	if want := "ckpt-000000010.ntc ckpt-000000015.ntc ckpt-000000016.ntc"; strings.Join(steps, " ") != want {
		t.Errorf("checkpoints %v; want %s", steps, want)
	}
	_, _, err := Train(context.Background(), d, TrainConfig{Backend: testBackend(t), Dir: dir, Settings: tinySettings + ";decoder_dim=64"})
	if err == nil || !strings.Contains(err.Error(), "decoder_dim=64 differs") {
		t.Errorf("changing the architecture on resume: got %v", err)
	}
}

func TestNaNLossStopsWithStep(t *testing.T) {
	d := tinyData(4, 1, 8, 12, 4)
	// Features this large overflow float32 in the first matrix product (the
	// "tconv" encoder passes the overflow on; a GRU saturates).
	for _, f := range d.Features.Data {
		for i := range f {
			f[i] *= 1e37
		}
	}
	_, _, err := Train(context.Background(), d, TrainConfig{Backend: testBackend(t), Settings: tinySettings + ";train_steps=5;encoder=tconv"})
	if err == nil || !strings.Contains(err.Error(), "training stopped at step 1") {
		t.Errorf("got %v; want an error naming step 1", err)
	}
	d.Features.Data[0][3] = float32(math.NaN())
	_, _, err = Train(context.Background(), d, TrainConfig{Backend: testBackend(t), Settings: tinySettings + ";train_steps=5"})
	if err == nil || !strings.Contains(err.Error(), `clip "clip000" has a non-finite value`) {
		t.Errorf("got %v; want an error naming the clip with NaN features", err)
	}
}

// TestGoBackendDeadlockRegression trains a few steps at batch 64 with 256
// hidden units, the size at which the Go backend's default worker pool
// deadlocked in a probe (compute v0.1.6), with the project's default backend
// configuration (pkg/backend).
func TestGoBackendDeadlockRegression(t *testing.T) {
	d := tinyData(64, 2, 12, 64, 5)
	done := make(chan error, 1)
	go func() {
		_, _, err := Train(context.Background(), d, TrainConfig{Backend: testBackend(t),
			Settings: "batch_size=64;encoder_dim=256;decoder_dim=256;semantic_units=256;max_words=10;train_steps=2;eval_every=0;checkpoint_every=0"})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("two training steps at batch 64 / 256 units did not finish in 3 minutes: deadlock?")
	}
}

// TestKillAndResume starts a training in a child process, kills it with
// SIGKILL once it has written a checkpoint, resumes in this process and
// checks that training reaches its step count from an intact checkpoint.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: runs a child process")
	}
	dir := t.TempDir()
	const steps = 400
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTrainProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NEUROTOPICS_HELPER_DIR="+dir, "NEUROTOPICS_HELPER_STEPS="+strconv.Itoa(steps))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if l, _ := LatestCheckpoint(dir); l != "" && l >= CheckpointPath(dir, 60) {
			break // mid-run, while it keeps writing checkpoints every 10 steps
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the child wrote no checkpoint in 2 minutes; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child exited with %v; want killed (did it finish %d steps before the kill?)", err, steps)
	}
	list, _ := ListCheckpoints(dir)
	// checkpoint_keep is 3; a kill between writing a new checkpoint and
	// deleting the oldest leaves one more, which is harmless.
	if len(list) == 0 || len(list) > 4 {
		t.Fatalf("%d checkpoints after the kill; want 1..4", len(list))
	}
	for _, p := range list {
		if _, _, err := readCheckpoint(p); err != nil {
			t.Errorf("checkpoint damaged by the kill: %v", err)
		}
	}
	killedAt, _ := Load(testBackend(t), dir)
	m, res := trainTiny(t, helperData(), fmt.Sprintf("train_steps=%d;checkpoint_every=10", steps), dir)
	t.Logf("killed after step %d; resumed from %d and ran %d steps", killedAt.Step(), res.Resumed, res.Steps)
	if m.Step() != steps || res.Resumed != killedAt.Step() || int64(res.Steps) != steps-killedAt.Step() {
		t.Errorf("resumed from %d, ran %d, ended at %d; want %d, %d, %d", res.Resumed, res.Steps, m.Step(), killedAt.Step(), steps-killedAt.Step(), steps)
	}
}

func helperData() *Data { return tinyData(8, 2, 8, 12, 6) }

// TestHelperTrainProcess is the child of TestKillAndResume.
func TestHelperTrainProcess(t *testing.T) {
	dir := os.Getenv("NEUROTOPICS_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process of TestKillAndResume")
	}
	steps, _ := strconv.Atoi(os.Getenv("NEUROTOPICS_HELPER_STEPS"))
	trainTiny(t, helperData(), fmt.Sprintf("train_steps=%d;checkpoint_every=10", steps), dir)
}

// TestActivityL1ShrinksSemanticLayer trains the same tiny model with and
// without the L1 activity penalty and checks that the penalty lowers the
// semantic layer's activity, Σ_i a_i per clip, on the training clips.
func TestActivityL1ShrinksSemanticLayer(t *testing.T) {
	d := tinyData(8, 2, 8, 12, 3)
	activity := func(settings string) float64 {
		m, _ := trainTiny(t, d, "train_steps=60;interp_lambda=0.1;"+settings, t.TempDir())
		a, err := m.EncodeToSemantic(d.Features, d.SplitIDs("train"))
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, row := range a {
			for _, v := range row {
				sum += float64(v)
			}
		}
		return sum / float64(len(a))
	}
	free, penalized := activity("activity_l1=0"), activity("activity_l1=0.2")
	t.Logf("Σ a per clip: %.3f without the penalty, %.3f with activity_l1 = 0.2", free, penalized)
	if !(penalized < 0.5*free) {
		t.Errorf("Σ a per clip = %.3f with activity_l1 = 0.2, %.3f without; want less than half", penalized, free)
	}
}

// TestDiagonalTopicHead trains the "diagonal" head and checks that topic k
// reads unit k alone: W_a stays zero off its diagonal (and on the rows of
// the free units) while its diagonal learns, and b_a stays zero.
func TestDiagonalTopicHead(t *testing.T) {
	d := tinyData(8, 2, 8, 12, 3)
	m, _ := trainTiny(t, d, "train_steps=40;interp_lambda=1;interp_loss=bce;topic_head=diagonal", t.TempDir())
	w := tensors.MustCopyFlatData[float32](m.Store.GetVariable("/topics/weights").MustValue())
	N, K := m.Param(ParamSemanticUnits).(int), len(d.Targets.Names)
	if len(w) != N*K {
		t.Fatalf("W_a has %d values; want %d×%d", len(w), N, K)
	}
	moved := 0
	for i := range N {
		for k := range K {
			v := w[i*K+k]
			switch {
			case i != k && v != 0:
				t.Fatalf("W_a[%d,%d] = %v; want 0 off the diagonal", i, k, v)
			case i == k && v != 1:
				moved++
			}
		}
	}
	if moved == 0 {
		t.Errorf("the diagonal of W_a is still the identity after 40 steps: the head did not train")
	}
	for k, v := range tensors.MustCopyFlatData[float32](m.Store.GetVariable("/topics/biases").MustValue()) {
		if v != 0 {
			t.Errorf("b_a[%d] = %v; the diagonal head has no bias", k, v)
		}
	}
	if _, err := ResolveParams("topic_head=sparse"); err == nil || !strings.Contains(err.Error(), `"diagonal"`) {
		t.Errorf(`topic_head=sparse: error %v; want one naming "dense" and "diagonal"`, err)
	}
}

// TestDiagonalHeadTeachesUnitsThatAreOff checks that the diagonal head's
// interpretive loss reaches a unit that is off on every clip (its
// pre-activation is negative: semantic_bias = −100), while the dense head's
// does not: the diagonal head's units cannot die.
func TestDiagonalHeadTeachesUnitsThatAreOff(t *testing.T) {
	for _, tc := range []struct {
		head     string
		wantGrad bool
	}{{"dense", false}, {"diagonal", true}} {
		outs := onTinyBatch(t, tinySettings+";semantic_bias=-100;interp_loss=bce;topic_head="+tc.head,
			func(m *Model, _, interp, activity *Node) []*Node {
				sem := m.Store.GetVariable("/semantic/weights").NodeValue(interp.Graph())
				g := Gradient(ReduceMean(interp), sem)[0]
				return []*Node{ReduceAllMax(Abs(g)), ReduceAllMax(activity)}
			})
		if act := tensors.ToScalar[float32](outs[1]); act != 0 {
			t.Fatalf("%s head: Σ a = %v with semantic_bias = −100; want every unit off", tc.head, act)
		}
		g := tensors.ToScalar[float32](outs[0])
		if got := g > 1e-6; got != tc.wantGrad {
			t.Errorf("%s head: max |∂ interpretive loss / ∂ semantic weights| = %v with every unit off; want > 0: %v", tc.head, g, tc.wantGrad)
		}
	}
}
