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

# OPEN_RUN is the declaration every notebook after 00 opens the run with: the
# same pipeline as 00 and `neurotopics run`, found in the cache when an earlier
# notebook ran it.
OPEN_RUN = """// openRun runs the notebooks' pipeline (nbui.NotebookSetting: quick or full) on the synthetic corpus,
// or reads it from the cache when an earlier notebook ran it, and returns it.
func openRun() *nbui.Run {
	s := nbui.NotebookSetting()
	b, err := backend.New()
	if err != nil {
		panic(err)
	}
	d, source, err := nbdata.Synthetic(b, s)
	if err != nil {
		panic(err)
	}
	run, err := nbui.Pipeline(context.Background(), b, d, source, s)
	if err != nil {
		panic(err)
	}
	return run
}"""

RUN_NOTE = """The notebooks share one run of the pipeline — the same stages, configurations and cache as
`neurotopics run` — under `nbui.WorkDir()` (`$NEUROTOPICS_NOTEBOOK_DIR`, default a folder under the system's
temp folder): the first notebook that needs it runs it (`00_overview` does), the others read its stages back
from the cache. `openRun` below shows the stage lines (all *cached* when an earlier notebook ran them)."""

# Each notebook: its cells, and the key outputs CI checks after executing it
# (tools/check_outputs.py).
NOTEBOOKS = {
"00_overview.ipynb": ([
("markdown", """# neurotopics: the whole pipeline, and its report

Dong et al. (CVPR 2017) make the hidden units of a video captioner interpretable with the topics of human
descriptions. This notebook runs every stage of the method — the same pipeline as `neurotopics run`, in
process — on a dataset: LDA topics of the captions → baseline (λ = 0) and interpretive (λ = 0.1)
captioners trained on the clips' topic labels → caption metrics → interpretation of every semantic unit →
transfer to the dataset's class labels → revision of wrong captions, and shows the report it writes. The
dataset is the built-in synthetic corpus (it has ground truth), or your own captions and features (see
*Your own data* below) or videos (*Your own videos*). The other notebooks open each stage of the same run: `01_corpus`, `02_topics`,
`03_train`, `04_neurons`, `05_transfer_revision`.

The stages' outputs are cached: running a cell again, or another notebook, reuses them. Quick mode
(`NEUROTOPICS_QUICK=1`, as CI runs it) uses a tiny corpus and 30 training steps so that it finishes in a
minute or two; its numbers only show that everything runs. Without it, the run is the README's main command
(`neurotopics run` with its defaults; see the README for its wall time)."""),
("code", SETUP),
("code", """import (
	"context"
	"os"
	"path/filepath"

	"github.com/neurotopics/neurotopics/notebooks/nbdata"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/nbui"
	"github.com/neurotopics/neurotopics/pkg/videodata"
)"""),
("markdown", """## Run the pipeline on the synthetic corpus

`nbui.NotebookSetting()` is the run every notebook does: `nbui.QuickSetting()` in quick mode, otherwise
`nbui.FullSetting()` (`neurotopics run`'s defaults). `nbdata.Synthetic` generates the corpus and encodes its
frames (cached), `nbui.RunPipeline` runs `pipeline.Run` — stage lines and the running stage's progress bar
below — and shows the report. The cell prints the `neurotopics run` command that writes the same
`metrics.json` (a test checks that it does)."""),
("code", """%%
s := nbui.NotebookSetting()
nbui.Markdown("The same run from a terminal: `" + s.Command(nil) + " --out " + s.Out + "`")
b, err := backend.New()
if err != nil {
	panic(err)
}
d, source, err := nbdata.Synthetic(b, s)
if err != nil {
	panic(err)
}
if _, err := nbui.RunPipeline(context.Background(), b, d, source, s); err != nil {
	panic(err)
}"""),
("markdown", """The report above is `index.html` of the report folder (plots inlined): the paper's tables for both
models, the unit cards, transfer and revision; `metrics.json` beside it holds every number.

## Your own data

The same pipeline runs on real captions and features, as `neurotopics run --captions … --features …` does.
Point these environment variables at your data (before starting Jupyter, or in a cell with GoNB's
`%env NEUROTOPICS_CAPTIONS /data/msvd`) and run the cell below:

* `NEUROTOPICS_CAPTIONS` — caption files or folders: MSVD's `train.tsv` / `val.tsv` / `test.tsv` (the split
  comes from the file name), or MSR-VTT's `videodatainfo.json` (its `category` becomes the class labels of
  the transfer stage); several separated by `:`.
* `NEUROTOPICS_FEATURES` — per-frame features: a folder of `<clip id>.npy` files `[frames, dim]`, or one
  stacked `.npy` `[clips, frames, dim]` with `NEUROTOPICS_IDS`, a file of its clip ids, one a line.
* `NEUROTOPICS_GROUND_TRUTH` (optional) — concepts per clip, as `neurotopics export` writes them.

Clips with captions but no features (or the reverse) are left out and counted; above 20% missing the load
stops and says so. Without ground truth the units are dissected against the clips' topic labels, and the
report says which sections need it. To try it: `neurotopics export --out /tmp/synth-export` writes the
synthetic corpus in these formats (`videodatainfo.json` and `features/`)."""),
("code", """%%
captions, features := os.Getenv("NEUROTOPICS_CAPTIONS"), os.Getenv("NEUROTOPICS_FEATURES")
if captions == "" || features == "" {
	nbui.Markdown("*NEUROTOPICS_CAPTIONS and NEUROTOPICS_FEATURES are not set: skipping the run on your own data (see above).*")
	return
}
cfg := dataset.Config{
	Captions:    filepath.SplitList(captions),
	Features:    features,
	IDs:         os.Getenv("NEUROTOPICS_IDS"),          // the clip ids of a stacked .npy, one a line
	GroundTruth: os.Getenv("NEUROTOPICS_GROUND_TRUTH"), // optional
	MaxMissing:  dataset.DefaultMaxMissing,
}
d, err := dataset.Load(cfg)
if err != nil {
	panic(err)
}
nbui.ShowDataset(d, "")
s := nbui.NotebookSetting()
s.Out = filepath.Join(nbui.WorkDir(), "own-data")
nbui.Markdown("The same run from a terminal: `" + s.Command(&cfg) + " --out " + s.Out + "`")
b, err := backend.New()
if err != nil {
	panic(err)
}
if _, err := nbui.RunPipeline(context.Background(), b, d, cfg, s); err != nil {
	panic(err)
}"""),
("markdown", """## Your own videos

The pipeline also starts from the videos themselves, as `neurotopics run --videos … --captions …` does:

* `NEUROTOPICS_VIDEOS` — a folder of video files, one a clip, named by clip id (`vid1.avi`, `video7.mp4`);
  any format ffmpeg reads.
* `NEUROTOPICS_CAPTIONS` — their captions, as above: MSVD `.tsv` files or MSR-VTT's `videodatainfo.json`
  (several separated by `:`).
* `NEUROTOPICS_MAPPING` (optional) — a file of `<video name> <clip id>` lines for videos named otherwise:
  MSVD's `youtube_mapping.txt` maps `-4wsuPCjDBc_5_15.avi` to `vid1`.
* `NEUROTOPICS_GROUND_TRUTH` (optional) — as above.

ffmpeg samples 12 frames evenly over each clip and resizes them to 32×32; the frozen frame encoder is fitted
on the training clips' frames and encodes every clip. Decoded frames and features are cached (in the
feature cache, one folder per video folder), so running the cell again decodes nothing; an interrupted
decoding resumes. Videos ffmpeg cannot read are left out, counted and listed with ffmpeg's message (above
20% missing the load stops). The frame strips below are the decoded frames, as the unit cards show them.
For a corpus too large for one machine, `neurotopics features --videos … --shard i/n` extracts it in
shards that `neurotopics features merge` joins (see `docs/scale.md`).

Without `NEUROTOPICS_VIDEOS` the cell writes a small synthetic corpus (60 clips) as H.264 videos — what
`neurotopics export --videos --codec h264` writes — into the notebooks' folder, once, and decodes that: it
shows the video path working, and the command that runs the pipeline on it, without running the pipeline
again. With your videos, the cell runs the pipeline on them into `nbui.WorkDir()/own-videos`."""),
("code", """%%
s := nbui.NotebookSetting()
own := os.Getenv("NEUROTOPICS_VIDEOS") != ""
var src videodata.Source
groundTruth := ""
if own {
	src = videodata.Source{
		Videos:   os.Getenv("NEUROTOPICS_VIDEOS"),
		Captions: filepath.SplitList(os.Getenv("NEUROTOPICS_CAPTIONS")),
		Mapping:  os.Getenv("NEUROTOPICS_MAPPING"), // optional
	}
	if len(src.Captions) == 0 {
		panic("NEUROTOPICS_VIDEOS is set but NEUROTOPICS_CAPTIONS is not: the videos need their captions (MSVD .tsv or MSR-VTT videodatainfo.json)")
	}
	groundTruth = os.Getenv("NEUROTOPICS_GROUND_TRUTH") // optional
} else {
	nbui.Markdown("*NEUROTOPICS_VIDEOS is not set: decoding a small synthetic corpus written as H.264 videos instead (see above).*")
	var err error
	if src, err = nbdata.DemoVideos(filepath.Join(nbui.WorkDir(), "demo-videos")); err != nil {
		panic(err)
	}
}
b, err := backend.New()
if err != nil {
	panic(err)
}
d, source, command, err := nbdata.Videos(context.Background(), b, s, src, groundTruth)
if err != nil {
	panic(err)
}
if err := nbui.ShowClips(d, d.SplitIDs("test")[:min(3, len(d.SplitIDs("test")))], 3); err != nil {
	panic(err)
}
if !own {
	nbui.Markdown("The pipeline on these videos, from a terminal: `" + command + " --out " + filepath.Join(nbui.WorkDir(), "demo-videos-run") +
		"` — the same stages and settings as the run above, on this corpus as decoded from its videos. It is not run here, to keep the notebook short.")
	return
}
s.Out = filepath.Join(nbui.WorkDir(), "own-videos")
nbui.Markdown("The same run from a terminal: `" + command + " --out " + s.Out + "`")
if _, err := nbui.RunPipeline(context.Background(), b, d, source, s); err != nil {
	panic(err)
}"""),
], [
    {"mime": "text/markdown", "contains": "The same run from a terminal: `neurotopics run"},
    {"mime": "text/html", "contains": '<div class="neurotopics-run">'},
    {"mime": "text/html", "contains": "pipeline done in"},
    {"mime": "text/html", "contains": '<section id="captioning">'},
    {"mime": "text/html", "contains": '<section id="neurons">'},
    {"mime": "text/html", "contains": '<section id="transfer">'},
    {"mime": "text/html", "contains": '<section id="revision">'},
    {"mime": "text/html", "contains": "data:image/png;base64,"},
    {"mime": "text/markdown", "contains": "NEUROTOPICS_CAPTIONS and NEUROTOPICS_FEATURES are not set"},
    {"mime": "text/markdown", "contains": "NEUROTOPICS_VIDEOS is not set"},
    {"mime": "text/markdown", "contains": "videodatainfo.json: 60 video clips (40/10/10 train/val/test), 12 frames of 32×32"},
    {"mime": "text/markdown", "contains": "Decoded and encoded in"},
    {"mime": "text/html", "contains": '<br>test</td><td><img src="data:image/png;base64,'},
    {"mime": "text/markdown", "contains": "The pipeline on these videos, from a terminal: `neurotopics run --videos "},
]),
"01_corpus.ipynb": ([
("markdown", """# The synthetic captioned-video corpus

neurotopics' built-in dataset: short clips of one or two coloured shapes doing one motion, ten human-like
captions per clip (about 5% of them deliberately off-topic or partly wrong, as real annotators write), and
the ground truth (concepts, action label) that lets every later stage be *measured*. This notebook builds
the dataset every stage of the run reads — `pkg/synthexp` generates the corpus of the notebooks' setting and
the frozen frame encoder turns its frames into per-frame features (cached) — and shows its statistics and a
few clips.

Quick mode (`NEUROTOPICS_QUICK=1`, as CI runs it) uses the tiny corpus of `nbui.QuickSetting()`
(100/20/40 clips); otherwise it is the default 5000/500/1000 clips."""),
("code", SETUP),
("code", """import (
	"github.com/neurotopics/neurotopics/notebooks/nbdata"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/nbui"
)"""),
("markdown", """## Generate and encode

Deterministic from the seed: the same configuration always gives the same clips, captions and features."""),
("code", """%%
b, err := backend.New()
if err != nil {
	panic(err)
}
d, _, err := nbdata.Synthetic(b, nbui.NotebookSetting())
if err != nil {
	panic(err)
}
nbui.ShowStats(corpus.ComputeStats(d.Captions, 3))
if err := nbui.ShowClips(d, d.SplitIDs("train")[:6], 4); err != nil {
	panic(err)
}"""),
("markdown", """Each row: the clip's frames left to right, its ground-truth concepts and action label, and some of its
captions. Real data has no frames or ground truth: `nbui.ShowClips` then shows the captions alone."""),
], [
    {"mime": "text/markdown", "contains": "per-frame features of dim"},
    {"mime": "text/html", "contains": "caption length (tokens)"},
    {"mime": "text/html", "contains": '<table class="neurotopics-clips">'},
    {"mime": "text/html", "contains": "data:image/png;base64,"},
]),
"02_topics.ipynb": ([
("markdown", """# Topics from human descriptions (LDA)

The paper's first step: learn topics from the captions (one document per clip, all its captions) and label
every clip with its top topics (about 3). These labels are the targets the captioners of `03_train` are
trained on. On the synthetic corpus the ground truth says whether the topics recover the concepts the
captions talk about: shape, colour, motion…

This is the run's topics stage (K = 30, 200 Gibbs sweeps over stemmed words; quick mode: K = 12, 100
sweeps)."""),
("code", SETUP),
("code", """import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/neurotopics/neurotopics/notebooks/nbdata"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/nbui"
)"""),
("code", OPEN_RUN),
("markdown", "## The topics stage\n\n" + RUN_NOTE),
("code", """%%
run := openRun()
t, err := run.Topics()
if err != nil {
	panic(err)
}
nbui.Markdown(fmt.Sprintf("**%d topics** from %d clips; NPMI@10 = %.3f (top words), %.3f (label-derived); diversity@25 = %.3f.",
	t.Model.K, t.Model.NumDocs(), t.Quality.NPMI, t.Quality.LabelNPMI, t.Quality.Diversity))
nbui.ShowTopics(t.Model, t.Quality, t.Concepts, 30, 8)
nbui.Markdown("### Do the topics recover the ground-truth concepts?")
nbui.ShowConceptRecovery(t.Concepts)
dir, err := run.StageDir("topics")
if err != nil {
	panic(err)
}
if err := nbui.Image(filepath.Join(dir, "topics.png")); err != nil {
	panic(err)
}"""),
("markdown", """Each topic's top words are synonyms of one concept — the grammar's "crimson / scarlet / red" fall into one
topic — which is what makes topics good targets for the interpretive loss: a unit trained to predict a topic
stands for a concept a person can name. (On real data, without ground truth, the topics are matched to the
words the references share instead.)"""),
], [
    {"mime": "text/html", "contains": '<div class="neurotopics-run">'},
    {"mime": "text/markdown", "contains": "topics** from"},
    {"mime": "text/html", "contains": '<table class="neurotopics-topics">'},
    {"mime": "text/html", "contains": '<table class="neurotopics-concepts">'},
    {"mime": "image/png", "contains": ""},
]),
"03_train.ipynb": ([
("markdown", """# Training the interpretive captioner

The captioner of Dong et al. (CVPR 2017): an encoder over per-frame features (by default the mean of their
projections next to a motion stream), a semantic layer a = ReLU(W v̄ + b) whose units are asked to predict
the clip's topics through the interpretive loss λ‖ŝ − s‖², and an LSTM decoder that sees the video only
through a. The targets s are the clips' LDA topic labels of `02_topics`, as in `neurotopics run`.

This notebook opens the run's **train** stages — a **baseline** (λ = 0) and an **interpretive** captioner
(λ = 0.1) — and its **eval** stages: caption metrics of both against the human ceiling and a constant
caption, and generated captions against the references. While a model trains, the run's block shows its
progress bar (step, loss, steps/s); checkpoints are kept, so an interrupted training resumes.

Quick mode (`NEUROTOPICS_QUICK=1`, as CI runs it): 30 training steps on a tiny corpus, so the captions are
rough and the numbers only show that the pipeline runs. Without it: 1500 steps on the default corpus."""),
("code", SETUP),
("code", """import (
	"context"

	"github.com/neurotopics/neurotopics/notebooks/nbdata"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/nbui"
)"""),
("code", OPEN_RUN),
("markdown", "## The train stages\n\n" + RUN_NOTE + """

Each model's hyperparameters are the run's settings plus its λ and seed; its log ends with the
validation at the last step."""),
("code", """%%
run := openRun()
run.ShowStages("train-")
for _, l := range run.Plan.Lambdas {
	nbui.Markdown("**" + run.ModelName(l) + "**: `" + run.Plan.ModelSettings(l, run.Plan.Seeds[0]) + "`")
	if err := run.ShowLog("train-" + run.ModelName(l)); err != nil {
		panic(err)
	}
}"""),
("markdown", """## Evaluate on the test split

The eval stages: BLEU-1..4, METEOR-lite, ROUGE-L and CIDEr-D of the captions against the references of each
clip (pkg/evalcap; METEOR-lite is not METEOR 1.5), the topic head's mAP (and a linear probe's, for the
baseline whose head is untrained), the losses, and for each concept family how often the named concept is
right (and how often the family is named at all). The human ceiling scores each reference against the
clip's other references; the constant caption is the best single caption for every clip."""),
("code", """%%
run := openRun()
var names []string
var reps []*captioner.EvalReport
var caps []*nbui.ModelCaptions
ids := run.Data.SplitIDs("test")[:6]
for _, l := range run.Plan.Lambdas {
	rep, err := run.Eval(l)
	if err != nil {
		panic(err)
	}
	names, reps = append(names, run.ModelName(l)), append(reps, rep)
	m, err := run.Model(l)
	if err != nil {
		panic(err)
	}
	c, err := nbui.Caption(m, run.Data, run.ModelName(l), ids)
	if err != nil {
		panic(err)
	}
	caps = append(caps, c)
}
if err := nbui.ShowEval(names, reps); err != nil {
	panic(err)
}
nbui.Markdown("### Generated captions and references")
if err := nbui.ShowCaptions(run.Data, caps, ids, 3); err != nil {
	panic(err)
}"""),
("markdown", """With the full settings the interpretive captioner matches the baseline's caption metrics while its
topic head (and, notebook 04 shows, its semantic units) tracks the topics; in quick mode both models are
barely trained and the numbers only show that the pipeline runs."""),
], [
    {"mime": "text/html", "contains": '<div class="neurotopics-run">'},
    {"mime": "text/html", "contains": '<table class="neurotopics-stages">'},
    {"mime": "text/markdown", "contains": "interp_lambda=0.1"},
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

This notebook opens the run's **interpret** stage of the interpretive captioner (λ = 0.1). Each unit card
shows the unit's label, its top topics with their words, a bar chart of its mean PD over topics and the
frame strips of the clips that activate it most."""),
("code", SETUP),
("code", """import (
	"context"
	"fmt"

	"github.com/neurotopics/neurotopics/notebooks/nbdata"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/nbui"
)"""),
("code", OPEN_RUN),
("markdown", """## The units, interpreted (PDM on the topic head) and dissected

""" + RUN_NOTE + """

Summary lines first ("N of M units detect K concepts"), then the interpretability table at the two IoU
thresholds (NetDissect's 0.04 and a strict 0.5), the concepts detected, a table of every unit, and the cards
of the clearest units: detectors whose label agrees with their concept first."""),
("code", """%%
run := openRun()
lambda := run.Plan.Lambdas[1]
r, sec, dir, err := run.Interpretation(lambda)
if err != nil {
	panic(err)
}
nbui.Markdown(fmt.Sprintf("Model **%s**: %d units, interpreted on %d test clips by %s.", run.ModelName(lambda), len(r.Units), r.Clips, r.Method))
if err := nbui.ShowNeurons(r, sec, dir, 6); err != nil {
	panic(err)
}"""),
("markdown", """A unit whose PDM label (what it *does* to the topic head) is also the concept it *detects* (what makes
it fire) is a unit a person can name — the units the revision notebook (05) edits by topic. The report of
`00_overview` compares these numbers with the baseline's (interpreted through a linear probe, as its topic
head is untrained)."""),
], [
    {"mime": "text/html", "contains": '<div class="neurotopics-run">'},
    {"mime": "text/html", "contains": '<p class="neurotopics-neuron-summary">'},
    {"mime": "text/html", "contains": "units detect"},
    {"mime": "text/html", "contains": '<table class="neurotopics-dissection">'},
    {"mime": "text/html", "contains": '<table class="neurotopics-units">'},
    {"mime": "text/html", "contains": '<div class="neurotopics-unit-card"'},
    {"mime": "image/png", "contains": ""},
]),
"05_transfer_revision.ipynb": ([
("markdown", """# Transfer to action recognition, and revising captions by editing units

Steps 4 and 5 of the paper, on the run's interpretive captioner (λ = 0.1).

* **Transfer** (the run's transfer stage): freeze the captioners up to their semantic layer a and train a
  softmax classifier on a for the clip's class label — the synthetic corpus' motion (8 classes), MSR-VTT's
  category — with 1, 5, 10 or all training clips per class, against the frozen frame features pooled over
  time.
* **Revision**: the run's revise stage measures the automatic rule (for a caption that names a wrong
  concept: none of its topics, more of the right one's). Then, by hand: explain a clip's caption by the units
  that drive each word, edit units — by number, or by topic through their interpretations — and decode
  again; the changed words are marked. Live widgets (sliders for the clip's most active units, a select of
  topic requests) re-caption as you move them; they are skipped in quick mode (headless CI runs no
  JavaScript), where the same revisions are printed without widgets."""),
("code", SETUP),
("code", """import (
	"context"

	"github.com/neurotopics/neurotopics/notebooks/nbdata"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/nbui"
	"github.com/neurotopics/neurotopics/pkg/revise"
)"""),
("code", OPEN_RUN + """

// reviser returns the reviser of the run's interpretive model (built as the revise stage builds it) and the
// topics' words that name its units' labels.
func reviser(run *nbui.Run) (*revise.Reviser, nbui.TopicWords) {
	r, err := run.Reviser(run.Plan.Lambdas[1])
	if err != nil {
		panic(err)
	}
	t, err := run.Topics()
	if err != nil {
		panic(err)
	}
	return r, t.TopicWords
}

// demoClip picks the clip to revise: the first of 50 test clips whose caption names a concept whose topics
// have units, with its semantic layer a and a topic request that swaps it for another concept of its family
// (ok false: none found, the first clip).
func demoClip(run *nbui.Run, r *revise.Reviser) (clip string, a []float32, swap revise.Request, ok bool) {
	ids := run.Data.SplitIDs("test")
	ids = ids[:min(50, len(ids))]
	m, err := run.Model(run.Plan.Lambdas[1])
	if err != nil {
		panic(err)
	}
	as, err := m.EncodeToSemantic(run.Data.Features, ids)
	if err != nil {
		panic(err)
	}
	t, err := run.Topics()
	if err != nil {
		panic(err)
	}
	k, swap, ok, err := nbui.FindTopicSwap(r, t.Truth, ids, as)
	if err != nil {
		panic(err)
	}
	return ids[k], as[k], swap, ok
}"""),
("markdown", "## Transfer: few-shot recognition of the class labels from the semantic layer\n\n" + RUN_NOTE),
("code", """%%
run := openRun()
res, dir, ok, err := run.Transfer()
if err != nil {
	panic(err)
}
if !ok {
	nbui.Markdown("*The dataset has no class labels: the run has no transfer stage.*")
	return
}
if err := nbui.ShowTransfer(res, dir); err != nil {
	panic(err)
}"""),
("markdown", """## The revise stage: the automatic rule on wrong captions

For each test clip whose caption names a concept the clip does not have, the rule suppresses the units of
the wrong concept's topics and boosts those of the right one's, raising the boost step by step until the
caption is right; random units edited the same way are the control. A few of the captions it fixed follow
(removed words struck out, added ones underlined; `[-removed-] {+added+}` in the text lines)."""),
("code", """%%
run := openRun()
r, _ := reviser(run)
m, err := run.Revision()
if err != nil {
	panic(err)
}
nbui.ShowMeasurement(m, r, 3)"""),
("markdown", """## By hand: explain a caption, edit units, decode again

The units behind each word are found by PDM on the word targets (log2-odds of the word with the unit as it is
minus with the unit marginalised over training clips), each named by its topic label and the topic's words.
Two revisions follow: suppressing the clip's two most active units, and a topic request that swaps a concept
the caption names for another of its family through the units interpreted as their topics."""),
("code", """%%
run := openRun()
r, words := reviser(run)
clip, a, swap, ok := demoClip(run, r)
ex, err := r.Explain(clip, a, 3)
if err != nil {
	panic(err)
}
nbui.ShowExplanation(ex, run.Data.Captions.ByClip[clip][0], words)
requests := []revise.Request{{Suppress: nbui.TopUnits(r, a, 2)}}
if ok {
	requests = append(requests, swap)
} else if us := nbui.TopUnits(r, a, 3); len(us) == 3 {
	nbui.Markdown("*No caption names a concept whose topics have units; boosting the next most active unit instead.*")
	requests = append(requests, revise.Request{Boost: us[2:]})
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
run := openRun()
r, words := reviser(run)
clip, a, _, _ := demoClip(run, r)
if err := nbui.ReviseWidgets(r, clip, a, 5, words); err != nil {
	panic(err)
}"""),
], [
    {"mime": "text/html", "contains": '<div class="neurotopics-run">'},
    {"mime": "text/html", "contains": '<table class="neurotopics-transfer">'},
    {"mime": "text/html", "contains": "<th>1-shot</th>"},
    {"mime": "image/png", "contains": ""},
    {"mime": "text/markdown", "contains": "| wrong concept | cases | fix rate |"},
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
