"""Writes a GoNB notebook (.ipynb, nbformat 4) from a list of cells.

Used only to author notebooks reproducibly: `python3 tools/mknb.py` rewrites
every notebook listed in NOTEBOOKS from the cell sources below them. The
notebooks themselves are the artefacts users open and CI executes.
"""
import json, os, sys

SETUP = """// Use this checkout of neurotopics (the folder above the notebook) with the
// module versions pinned by its go.mod.
!*rm -f go.work && go work init && go work use . $GONB_DIR/..
%goworkfix"""

def nb(cells, expect):
    out = []
    for kind, src in cells:
        lines = src.strip("\n").split("\n")
        source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
        c = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            c["execution_count"] = None
            c["outputs"] = []
        out.append(c)
    return {
        "cells": out,
        "metadata": {
            "neurotopics": {"expect": expect},
            "kernelspec": {"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
            "language_info": {"codemirror_mode": "", "file_extension": ".go", "mimetype": "", "name": "go",
                              "nbconvert_exporter": "", "pygments_lexer": "", "version": "go1.26.8"},
        },
        "nbformat": 4, "nbformat_minor": 4,
    }

# Each notebook: its cells, and the key outputs CI checks after executing it
# (tools/check_outputs.py).
NOTEBOOKS = {
"00_overview.ipynb": ([
("markdown", """# neurotopics: the whole pipeline, and its report

Dong et al. (CVPR 2017) make the hidden units of a video captioner interpretable with the topics of human
descriptions. This notebook runs every stage of the method on the synthetic corpus with one command —
corpus → LDA topics → baseline (λ = 0) and interpretive (λ = 0.1) captioners trained on the topic labels →
caption metrics → interpretation of every semantic unit → transfer to action recognition → revision of wrong
captions — and shows the report it writes. The other notebooks open each stage:
`01_corpus`, `02_topics`, `03_train`, `04_neurons`, `05_transfer_revision`.

The stages' outputs are cached: running the cell again reuses them. Quick mode (`NEUROTOPICS_QUICK=1`, as CI
runs it) uses a tiny corpus and 30 training steps so that it finishes in a minute or two; its numbers only show
that everything runs. Without it, the run is the README's main command (`neurotopics run`: the default corpus,
see the README for its wall time)."""),
("code", SETUP),
("markdown", """## Run the pipeline

`neurotopics run` is the README's main command; here it writes its report to `$TMPDIR/neurotopics-overview`
(quick) or `$TMPDIR/neurotopics-overview-full`."""),
("code", """!cd $GONB_DIR/.. && if [ -n "$NEUROTOPICS_QUICK" ] && [ "$NEUROTOPICS_QUICK" != 0 ]; then go run ./cmd/neurotopics run --quick --quiet --synth-train 100 --synth-val 20 --synth-test 40 --steps 30 --frame-fit-frames 200 --transfer-seeds 1 --topics-k 12 --out "${TMPDIR:-/tmp}/neurotopics-overview"; else go run ./cmd/neurotopics run --quiet --out "${TMPDIR:-/tmp}/neurotopics-overview-full"; fi"""),
("markdown", """## The report

The same page as `index.html` in the report folder (plots inlined): the paper's tables for both models, the
unit cards, transfer and revision."""),
("code", """import (
	"os"
	"path/filepath"

	"github.com/neurotopics/neurotopics/pkg/nbui"
)"""),
("code", """%%
dir := filepath.Join(os.TempDir(), "neurotopics-overview-full")
if nbui.Quick() {
	dir = filepath.Join(os.TempDir(), "neurotopics-overview")
}
if err := nbui.ShowReport(dir); err != nil {
	panic(err)
}"""),
], [
    {"mime": "text/html", "contains": '<section id="captioning">'},
    {"mime": "text/html", "contains": '<section id="neurons">'},
    {"mime": "text/html", "contains": '<section id="revision">'},
    {"mime": "text/html", "contains": "data:image/png;base64,"},
]),
"01_corpus.ipynb": ([
("markdown", """# The synthetic captioned-video corpus

neurotopics' embedded default: short clips of one or two coloured shapes doing one motion,
ten human-like captions per clip, and the ground truth (concepts, action label) that lets every
later stage be *measured*. This notebook generates the corpus, shows its statistics and a few clips.

Set `NEUROTOPICS_QUICK=1` (CI does) to use a small corpus; otherwise it is the default 5000/500/1000 clips."""),
("code", SETUP),
("code", """import (
\t"github.com/neurotopics/neurotopics/pkg/corpus"
\t"github.com/neurotopics/neurotopics/pkg/nbui"
\t"github.com/neurotopics/neurotopics/pkg/synth"
)"""),
("markdown", """## Generate

Deterministic from the seed: the same configuration always gives the same clips, captions and files."""),
("code", """%%
cfg := synth.DefaultConfig()
if nbui.Quick() {
\tcfg.Train, cfg.Val, cfg.Test = 200, 20, 40
}
c, err := synth.Generate(cfg)
if err != nil {
\tpanic(err)
}
nbui.Markdown(fmt.Sprintf("Generated **%d clips** (seed %d, %d frames of %d×%d px).", len(c.Clips), cfg.Seed, cfg.Frames, cfg.Size, cfg.Size))
nbui.ShowStats(corpus.ComputeStats(c.Captions(), 3))
if err := nbui.ShowClips(c, []int{0, 1, 2, 3, 4, 5}, 4); err != nil {
\tpanic(err)
}"""),
("markdown", """Each row: the clip's frames left to right, its ground-truth concepts, and some of its captions.
Captions marked *noisy* are the deliberate ~5% of off-topic or partly wrong ones, as real annotators write."""),
], [
    {"mime": "text/html", "contains": "caption length (tokens)"},
    {"mime": "text/html", "contains": '<table class="neurotopics-clips">'},
    {"mime": "text/html", "contains": "data:image/png;base64,"},
]),
"02_topics.ipynb": ([
("markdown", """# Topics from human descriptions (LDA)

The paper's first step: learn topics from the captions (one document per clip, all its captions) and
label every clip with its top topics (about 3). On the synthetic corpus the ground truth says whether
the topics recover the concepts the captions talk about: shape, colour, motion…

Quick mode (`NEUROTOPICS_QUICK=1`) uses a small corpus and fewer sweeps."""),
("code", SETUP),
("code", """import (
	"os"
	"path/filepath"

	"github.com/neurotopics/neurotopics/pkg/nbui"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/topics"
)"""),
("markdown", """## Train LDA on the synthetic captions

K = 30 topics for a corpus of 30 concepts (`topics.DefaultConfig()` has the paper's K = 100, for real data).
Stemming folds "grows"/"growing" together."""),
("code", """%%
scfg := synth.DefaultConfig()
tcfg := topics.DefaultConfig()
tcfg.K = 30
if nbui.Quick() {
	scfg.Train, scfg.Val, scfg.Test = 600, 50, 100
	tcfg.Iterations = 40
}
c, err := synth.Generate(scfg)
if err != nil {
	panic(err)
}
opts := topics.DefaultTextOptions()
opts.Stem = true
docs, err := topics.FromCaptions(c.Captions(), opts)
if err != nil {
	panic(err)
}
m, err := topics.Train(docs, tcfg)
if err != nil {
	panic(err)
}
labels := m.Labels(topics.DefaultLabelTopK, topics.DefaultLabelMinWeight)
q, err := topics.Evaluate(m, docs, labels)
if err != nil {
	panic(err)
}
truth := map[string][]string{}
for i := range c.Clips {
	truth[c.Clips[i].ID] = c.Clips[i].Concepts()
}
cr, err := topics.EvaluateConcepts(m, labels, truth)
if err != nil {
	panic(err)
}
nbui.Markdown(fmt.Sprintf("**%d topics** from %d clips; label-derived NPMI@10 = %.3f, diversity@25 = %.3f.",
	m.K, m.NumDocs(), q.LabelNPMI, q.Diversity))
nbui.ShowTopics(m, q, cr, 30, 8)
nbui.Markdown("### Do the topics recover the ground-truth concepts?")
nbui.ShowConceptRecovery(cr)
dir, _ := os.MkdirTemp("", "topics")
plot := filepath.Join(dir, "topics.png")
if err := topics.WritePlot(plot, m, q); err != nil {
	panic(err)
}
if err := nbui.Image(plot); err != nil {
	panic(err)
}"""),
("markdown", """Each topic's top words are synonyms of one concept — the grammar's "crimson / scarlet / red" fall into one
topic — which is what makes topics good targets for the interpretive loss: a unit trained to predict a topic
stands for a concept a person can name."""),
], [
    {"mime": "text/html", "contains": '<table class="neurotopics-topics">'},
    {"mime": "text/html", "contains": '<table class="neurotopics-concepts">'},
    {"mime": "image/png", "contains": ""},
]),
"03_train.ipynb": ([
("markdown", """# Training the interpretive captioner

The captioner of Dong et al. (CVPR 2017): an encoder over per-frame features (by default the mean of their
projections next to a motion stream; `encoder=gru` for a GRU), a semantic layer
a = ReLU(W v̄ + b) whose units are asked to predict the clip's topics through the interpretive loss λ‖ŝ − s‖²,
and an LSTM decoder that sees the video only through a. On the synthetic corpus the targets are the clips'
ground-truth concepts (the stand-in for LDA topic labels).

This notebook trains a **baseline** (λ = 0) and an **interpretive** captioner (λ = 0.1) with a live training
plot, then compares their caption metrics and shows generated captions against the references.
The checkpoints go to `nbui.WorkDir()` (a folder under the system's temp folder), where the next notebooks
find them.

Quick mode (`NEUROTOPICS_QUICK=1`, as CI runs it): a 300/40/100-clip corpus and a small model trained for
400 steps (about a minute on 2 cores); its captions are rough. Without it: the default 5000/500/1000 clips
and the captioner's default hyperparameters (4000 steps)."""),
("code", SETUP),
("code", """import (
	"context"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/nbui"
)

// models are the captioners this notebook trains: name and interpretive weight λ.
var models = []struct {
	Name   string
	Lambda float64
}{{"baseline λ=0", 0}, {"interpretive λ=0.1", 0.1}}"""),
("markdown", """## Data

The corpus is generated from its seed and its frames are encoded once by the frozen frame encoder;
the features are cached, so the other notebooks read them back in a fraction of a second."""),
("code", """%%
b, err := backend.New()
if err != nil {
	panic(err)
}
if _, err := nbui.PrepareSynth(b, nbui.SynthConfig()); err != nil {
	panic(err)
}"""),
("markdown", """## Train, with a live plot

The plot is redrawn as training runs: the batch loss (faint), its moving average and the validation loss
per caption; on the right the validations' CIDEr-D (greedy captions of validation clips) and the topic mAP
of the topic head ŝ. The table below it lists every validation. `captioner.TrainConfig` reports steps and
validations through its `OnStep` / `OnValidation` hooks; `nbui.TrainLive` draws them."""),
("code", """%%
b, err := backend.New()
if err != nil {
	panic(err)
}
p, err := nbui.PrepareSynth(b, nbui.SynthConfig())
if err != nil {
	panic(err)
}
for _, m := range models {
	if _, _, err := nbui.TrainCaptioner(context.Background(), b, p, m.Name, nbui.TrainSettings(m.Lambda)); err != nil {
		panic(err)
	}
}"""),
("markdown", """## Evaluate on the test split

BLEU-1..4, METEOR-lite, ROUGE-L and CIDEr-D of greedy captions against the ten references of each clip
(pkg/evalcap; METEOR-lite is not METEOR 1.5), the topic head's mAP, the losses, and for each concept family
how often the named concept is right (and how often the family is named at all). The human ceiling scores
each reference against the clip's other references."""),
("code", """%%
b, err := backend.New()
if err != nil {
	panic(err)
}
p, err := nbui.PrepareSynth(b, nbui.SynthConfig())
if err != nil {
	panic(err)
}
var evals []*nbui.ModelEval
for _, m := range models {
	model, _, err := nbui.Captioner(context.Background(), b, p, m.Name, nbui.TrainSettings(m.Lambda))
	if err != nil {
		panic(err)
	}
	e, err := nbui.Evaluate(model, p, m.Name, "test", captioner.Greedy(), 0)
	if err != nil {
		panic(err)
	}
	evals = append(evals, e)
}
ceiling, err := synthexp.HumanCeiling(p.Data, "test")
if err != nil {
	panic(err)
}
nbui.ShowEval(evals, ceiling)
nbui.Markdown("### Generated captions and references")
if err := nbui.ShowCaptions(p.Corpus, evals, p.Data.SplitIDs("test")[:6], 3); err != nil {
	panic(err)
}"""),
("markdown", """With the full settings the interpretive captioner matches the baseline's caption metrics while its
topic head (and, notebook 04 shows, its semantic units) tracks the concepts; in quick mode both models are
barely trained and the numbers only show that the pipeline runs."""),
], [
    {"mime": "text/html", "contains": '<div class="neurotopics-train-live">'},
    {"mime": "text/html", "contains": '<table class="neurotopics-validation">'},
    {"mime": "text/html", "contains": "done: "},
    {"mime": "text/html", "contains": '<table class="neurotopics-metrics">'},
    {"mime": "text/html", "contains": "<th>human ceiling</th>"},
    {"mime": "text/html", "contains": '<table class="neurotopics-captions">'},
]),
"04_neurons.ipynb": ([
("markdown", """# What the semantic units stand for

Step 3 of the paper: interpret every unit of the semantic layer a with **prediction difference
maximization** (PDM): replace unit i by samples of its distribution over training clips and measure how much
each topic score changes, PD = f(x) − E f(x | a_i). A unit is labelled with the topic of highest mean PD over
the clips where it is active. On the synthetic corpus the ground truth also lets us *dissect* the units
(Network Dissection style): the IoU over clips between "unit in its top quantile" and "concept present".

This notebook uses the interpretive captioner (λ = 0.1) trained by `03_train` — or trains it here if it is
missing (quick mode: a small model, about a minute). Each unit card shows the unit's label, its top topics,
a bar chart of its mean PD over topics and the frame strips of the clips that activate it most."""),
("code", SETUP),
("code", """import (
	"context"
	"os"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/synthexp/claim"
	"github.com/neurotopics/neurotopics/pkg/nbui"
)"""),
("markdown", """## Interpret the units (PDM on the topic head) and dissect them

Summary lines first ("N of M units detect K concepts"), then the interpretability table at the two IoU
thresholds (NetDissect's 0.04 and a strict 0.5), the concepts detected, a table of every unit, and the cards
of the clearest units: detectors whose label agrees with their concept first."""),
("code", """%%
b, err := backend.New()
if err != nil {
	panic(err)
}
p, err := nbui.PrepareSynth(b, nbui.SynthConfig())
if err != nil {
	panic(err)
}
m, _, err := nbui.Captioner(context.Background(), b, p, "interpretive λ=0.1", nbui.TrainSettings(0.1))
if err != nil {
	panic(err)
}
trainClips, testClips := 0, 0 // all
if !nbui.Quick() {
	trainClips, testClips = 2000, 500
}
in, err := claim.SynthInput(m, p, trainClips, "test", testClips, false)
if err != nil {
	panic(err)
}
r, err := interpret.Run(*in, interpret.Config{Method: interpret.MethodPDM, Seed: 1,
	Summary: interpret.SummaryConfig{TopK: 5, TopClips: 3}})
if err != nil {
	panic(err)
}
dir, err := os.MkdirTemp("", "neurons")
if err != nil {
	panic(err)
}
sec, err := interpret.Section(r, nbui.SynthRenderConfig(p, dir))
if err != nil {
	panic(err)
}
if err := nbui.ShowNeurons(r, sec, dir, 6); err != nil {
	panic(err)
}"""),
("markdown", """A unit whose PDM label (what it *does* to the topic head) is also the concept it *detects* (what makes
it fire) is a unit a person can name — the units the revision notebook (05) edits by topic."""),
], [
    {"mime": "text/html", "contains": '<p class="neurotopics-neuron-summary">'},
    {"mime": "text/html", "contains": "units detect"},
    {"mime": "text/html", "contains": '<table class="neurotopics-dissection">'},
    {"mime": "text/html", "contains": '<table class="neurotopics-units">'},
    {"mime": "text/html", "contains": '<div class="neurotopics-unit-card"'},
    {"mime": "image/png", "contains": ""},
]),
"05_transfer_revision.ipynb": ([
("markdown", """# Transfer to action recognition, and revising captions by editing units

Steps 4 and 5 of the paper, on the interpretive captioner (λ = 0.1) of `03_train` (trained here if missing).

* **Transfer**: freeze the captioner up to its semantic layer a and train a softmax classifier on a for the
  clip's motion (8 classes), with 1, 5 or all training clips per class, against the frozen frame features
  pooled over time.
* **Revision**: explain a clip's caption by the units that drive each word, edit units — by number, or by topic
  through their interpretations ("none of colour:red, more of colour:blue") — and decode again; the changed
  words are marked. Live widgets (sliders for the clip's most active units, a select of topic requests)
  re-caption as you move them; they are skipped in quick mode (headless CI runs no JavaScript), where the same
  revisions are printed without widgets."""),
("code", SETUP),
("code", """import (
	"context"
	"os"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/nbui"
	"github.com/neurotopics/neurotopics/pkg/revise"
	"github.com/neurotopics/neurotopics/pkg/transfer"
)

// setup returns the synthetic corpus and the interpretive captioner.
func setup() (*synthexp.Prepared, *captioner.Model) {
	b, err := backend.New()
	if err != nil {
		panic(err)
	}
	p, err := nbui.PrepareSynth(b, nbui.SynthConfig())
	if err != nil {
		panic(err)
	}
	m, _, err := nbui.Captioner(context.Background(), b, p, "interpretive λ=0.1", nbui.TrainSettings(0.1))
	if err != nil {
		panic(err)
	}
	return p, m
}

// reviser builds the reviser of m: unit statistics and PDM topic labels from the training clips.
func reviser(p *synthexp.Prepared, m *captioner.Model) *revise.Reviser {
	ids := p.Data.SplitIDs("train")
	if len(ids) > 1000 {
		ids = ids[:1000]
	}
	train, err := m.EncodeToSemantic(p.Data.Features, ids)
	if err != nil {
		panic(err)
	}
	r, err := revise.Setup(m, train, revise.SetupConfig{Seed: 1})
	if err != nil {
		panic(err)
	}
	return r
}

// demoClip picks the clip to revise: the first of 50 test clips whose caption names a concept that has units
// interpreted as it, with its semantic layer a and that topic request (ok false: none found, the first clip).
func demoClip(p *synthexp.Prepared, m *captioner.Model, r *revise.Reviser) (clip string, a []float32, swap revise.Request, ok bool) {
	ids := p.Data.SplitIDs("test")[:50]
	as, err := m.EncodeToSemantic(p.Data.Features, ids)
	if err != nil {
		panic(err)
	}
	k, swap, ok, err := nbui.FindTopicSwap(r, ids, as)
	if err != nil {
		panic(err)
	}
	return ids[k], as[k], swap, ok
}"""),
("markdown", """## Transfer: few-shot action recognition from the semantic layer"""),
("code", """%%
p, m := setup()
task, err := transfer.NewTask(transfer.SynthActions(p.Corpus), p.Data.SplitIDs("train"), p.Data.SplitIDs("test"))
if err != nil {
	panic(err)
}
all := task.AllIDs()
cc := transfer.DefaultClassifierConfig()
a, err := transfer.SemanticFeatures(m, p.Data.Features, all)
if err != nil {
	panic(err)
}
semantic, err := transfer.NewProbe("interpretive a (λ=0.1)", task, a, cc)
if err != nil {
	panic(err)
}
pooled, err := transfer.PooledFrames(p.Data.Features, all, transfer.PoolMeanDelta)
if err != nil {
	panic(err)
}
frames, err := transfer.NewProbe("frame features (mean+delta)", task, pooled, cc)
if err != nil {
	panic(err)
}
cfg := transfer.DefaultConfig()
if nbui.Quick() {
	cfg = transfer.Config{Shots: []int{1, 5, 0}, Seeds: []uint64{1, 2}}
}
res, err := transfer.Run(context.Background(), task, []transfer.Method{semantic, frames}, cfg, nil)
if err != nil {
	panic(err)
}
dir, err := os.MkdirTemp("", "transfer")
if err != nil {
	panic(err)
}
if err := nbui.ShowTransfer(res, dir); err != nil {
	panic(err)
}"""),
("markdown", """## Revision: explain a caption, edit units, decode again

The units behind each word are found by PDM on the word targets (log2-odds of the word with the unit as it is
minus with the unit marginalised over training clips), each named by its topic label. Two revisions follow:
suppressing the clip's two most active units, and a topic request that swaps a concept the caption names for
another of its family through the units interpreted as them. Removed words are struck out, added ones
underlined (`[-removed-] {+added+}` in the text lines)."""),
("code", """%%
p, m := setup()
r := reviser(p, m)
clip, a, swap, ok := demoClip(p, m, r)
ex, err := r.Explain(clip, a, 3)
if err != nil {
	panic(err)
}
nbui.ShowExplanation(ex, p.Data.Captions.ByClip[clip][0])
requests := []revise.Request{{Suppress: nbui.TopUnits(r, a, 2)}}
if ok {
	requests = append(requests, swap)
} else {
	nbui.Markdown("*No caption names a concept that has units interpreted as it; boosting the next most active unit instead.*")
	requests = append(requests, revise.Request{Boost: nbui.TopUnits(r, a, 3)[2:]})
}
for _, q := range requests {
	rev, err := r.Revise(clip, a, q)
	if err != nil {
		panic(err)
	}
	nbui.ShowRevision(rev)
}"""),
("markdown", """## Live: re-caption with widgets

Sliders set the clip's most active units (0 to twice each unit's high activation); the select asks for more
or none of a topic. Each change decodes the caption again. Press *done* to stop listening. In quick mode
(and headless runs) the widgets are skipped; `NEUROTOPICS_WIDGETS=1` forces them on."""),
("code", """%%
p, m := setup()
r := reviser(p, m)
clip, a, _, _ := demoClip(p, m, r)
if err := nbui.ReviseWidgets(r, clip, a, 5); err != nil {
	panic(err)
}"""),
], [
    {"mime": "text/html", "contains": '<table class="neurotopics-transfer">'},
    {"mime": "text/html", "contains": "<th>1-shot</th>"},
    {"mime": "image/png", "contains": ""},
    {"mime": "text/html", "contains": '<div class="neurotopics-explain">'},
    {"mime": "stream", "contains": "before: "},
    {"mime": "stream", "contains": "after:  "},
    {"mime": "text/html", "contains": '<div class="neurotopics-revision">'},
    {"mime": "text/markdown", "contains": "Widgets are off"},
]),
}

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, (cells, expect) in NOTEBOOKS.items():
        path = os.path.join(here, "..", name)
        with open(path, "w") as f:
            json.dump(nb(cells, expect), f, indent=1, ensure_ascii=False)
            f.write("\n")
        print("wrote", os.path.normpath(path))
