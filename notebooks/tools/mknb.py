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
}

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, (cells, expect) in NOTEBOOKS.items():
        path = os.path.join(here, "..", name)
        with open(path, "w") as f:
            json.dump(nb(cells, expect), f, indent=1, ensure_ascii=False)
            f.write("\n")
        print("wrote", os.path.normpath(path))
