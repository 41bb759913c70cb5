package topics

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// StageConfig is the topics stage's configuration. Marshalled to JSON it is
// the stage's cache key (with the dataset's key), so it holds every setting
// that changes the output, and nothing else.
type StageConfig struct {
	// LDA is the sampler's configuration (Workers never changes results).
	LDA Config `json:"lda"`
	// Text says how captions become words.
	Text TextOptions `json:"text"`
	// LabelK and LabelMinWeight make each clip's labels: its top LabelK
	// topics, each after the first with θ ≥ LabelMinWeight.
	LabelK         int     `json:"label_k"`
	LabelMinWeight float64 `json:"label_min_weight"`
	// TruthWords is the number of top words per topic that make the
	// reference-derived ground truth of data without one (see
	// ReferenceTruth; 0: DefaultTruthWords).
	TruthWords int `json:"truth_words,omitempty"`
}

// DefaultStageConfig is the topics stage of neurotopics run: the LDA
// defaults with k topics and iterations sweeps, stemmed words.
func DefaultStageConfig(k, iterations int) StageConfig {
	cfg := StageConfig{LDA: DefaultConfig(), Text: DefaultTextOptions(), LabelK: DefaultLabelTopK, LabelMinWeight: DefaultLabelMinWeight}
	cfg.LDA.K, cfg.LDA.Iterations, cfg.Text.Stem = k, iterations, true
	return cfg
}

// StageInput is what the topics stage reads besides its configuration.
type StageInput struct {
	Data *dataset.Dataset
	// Progress receives a progress bar's updates: done and total sweeps
	// (nil: none).
	Progress func(done, total int)
	// Log receives the corpus and model summary lines (nil: discard).
	Log io.Writer
}

// Files the topics stage writes besides Save's.
const (
	// TopicConceptsFile maps a topic name to its concepts: {"topic k": [concept]}.
	TopicConceptsFile = "topic_concepts.json"
	// ConceptTopicsFile maps a concept to its topics: {concept: ["topic k", …]}.
	ConceptTopicsFile = "concept_topics.json"
	// TopicWordsFile maps a topic name to its top words.
	TopicWordsFile = "topic_words.json"
	// ConceptsFile holds the ConceptReport.
	ConceptsFile = "concepts.json"
	// TruthFile holds the ground truth the later stages judge by: the
	// dataset's, or, without one, ReferenceTruth's.
	TruthFile = "truth.json"
)

// StageResult is what the topics stage wrote.
type StageResult struct {
	Model   *Model
	Labels  *Labels
	Quality *Quality
	// Concepts compares the topics with the ground truth (the dataset's or the
	// reference-derived one).
	Concepts *ConceptReport
	// Truth is that ground truth; Derived says it came from the references.
	Truth   *dataset.GroundTruth
	Derived bool
	// TopicConcepts, ConceptTopics and TopicWords are the maps of the files
	// of the same names.
	TopicConcepts, ConceptTopics, TopicWords map[string][]string
}

// Stage learns the topics of the dataset's captions (one document per clip),
// labels every clip with its top topics and matches topics to the ground
// truth's concepts (or, for data without ground truth, to the words of a
// reference-derived one), writing into dir Save's files, the plot
// (topics.png, topics.svg) and the maps later stages read.
func Stage(ctx context.Context, in StageInput, cfg StageConfig, dir string) (*StageResult, error) {
	log := in.Log
	if log == nil {
		log = io.Discard
	}
	c, err := FromCaptions(in.Data.Captions, cfg.Text)
	if err != nil {
		return nil, err
	}
	p := c.Prep
	fmt.Fprintf(log, "corpus: %d clips, %d captions; %d of %d tokens kept, vocabulary %d words\n",
		p.Docs, in.Data.Captions.NumCaptions(), p.Tokens, p.RawTokens, p.Vocab)
	for _, msg := range p.Warnings {
		fmt.Fprintln(log, "warning:", msg)
	}
	lda := cfg.LDA
	lda.Progress = in.Progress
	m, err := Train(c, lda)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l := m.Labels(cfg.LabelK, cfg.LabelMinWeight)
	q, err := Evaluate(m, c, l)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "trained K=%d, α=%g, β=%g, %d sweeps × %d MH proposals per token in %.2fs; perplexity %.1f",
		lda.K, lda.Alpha, lda.Beta, lda.Iterations, lda.MHSteps, m.TrainSeconds, m.Perplexity)
	if m.HeldOutPerplexity > 0 {
		fmt.Fprintf(log, ", held-out perplexity %.1f (%.0f%% of tokens)", m.HeldOutPerplexity, 100*lda.HeldOut)
	}
	labelled := 0
	for _, ts := range l.Topics {
		labelled += len(ts)
	}
	fmt.Fprintf(log, "\ncoherence: NPMI@10 %.3f (top words by φ), %.3f (label-derived, %d topics used); diversity@25 %.3f\n",
		q.NPMI, q.LabelNPMI, q.LabelTopicsUsed, q.Diversity)
	fmt.Fprintf(log, "labels: top %d topics with θ ≥ %g, %.2f topics per clip on average\n",
		cfg.LabelK, cfg.LabelMinWeight, float64(labelled)/float64(max(1, len(l.Topics))))
	if err := Save(dir, m, l, q); err != nil {
		return nil, err
	}
	for _, ext := range []string{".png", ".svg"} {
		if err := WritePlot(filepath.Join(dir, "topics"+ext), m, q); err != nil {
			return nil, err
		}
	}
	r := &StageResult{Model: m, Labels: l, Quality: q, Truth: in.Data.GroundTruth}
	if r.Truth == nil {
		words := cfg.TruthWords
		if words == 0 {
			words = DefaultTruthWords
		}
		r.Truth, r.Derived = ReferenceTruth(m, in.Data.Captions, words), true
	}
	if err := r.matchConcepts(); err != nil {
		return nil, err
	}
	files := map[string]any{TopicConceptsFile: r.TopicConcepts, ConceptTopicsFile: r.ConceptTopics,
		TopicWordsFile: r.TopicWords, ConceptsFile: r.Concepts, TruthFile: truthFile{r.Truth, r.Derived}}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := writeJSON(filepath.Join(dir, name), files[name]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

type truthFile struct {
	*dataset.GroundTruth
	Derived bool `json:"derived,omitempty"`
}

// matchConcepts matches each topic to the concept whose clips it labels
// best and fills the maps.
func (r *StageResult) matchConcepts() error {
	cr, err := EvaluateConcepts(r.Model, r.Labels, r.Truth.ByClip)
	if err != nil {
		return err
	}
	r.Concepts = cr
	r.TopicConcepts, r.ConceptTopics, r.TopicWords = map[string][]string{}, map[string][]string{}, map[string][]string{}
	for k := 0; k < r.Model.K; k++ {
		name := fmt.Sprintf("topic %d", k)
		if cs := cr.ConceptsOf(k); len(cs) > 0 {
			r.TopicConcepts[name] = cs
			for _, c := range cs {
				r.ConceptTopics[c] = append(r.ConceptTopics[c], name)
			}
		}
		r.TopicWords[name] = r.Model.TopWords(k, 6)
	}
	for c := range r.ConceptTopics {
		slices.Sort(r.ConceptTopics[c])
	}
	return nil
}

// LoadStage reads what Stage wrote into dir.
func LoadStage(dir string) (*StageResult, error) {
	m, err := Load(dir)
	if err != nil {
		return nil, err
	}
	l, err := LoadLabels(dir)
	if err != nil {
		return nil, err
	}
	r := &StageResult{Model: m, Labels: l}
	var tf truthFile
	for _, f := range []struct {
		name string
		v    any
	}{{QualityFile, &r.Quality}, {ConceptsFile, &r.Concepts}, {TopicConceptsFile, &r.TopicConcepts},
		{ConceptTopicsFile, &r.ConceptTopics}, {TopicWordsFile, &r.TopicWords}, {TruthFile, &tf}} {
		if err := corpus.ReadJSONFile(filepath.Join(dir, f.name), f.v); err != nil {
			return nil, fmt.Errorf("topics stage: %w (run again with --force to recompute it)", err)
		}
	}
	if tf.GroundTruth == nil {
		return nil, fmt.Errorf("topics stage: %s has no ground truth (run again with --force)", filepath.Join(dir, TruthFile))
	}
	if err := tf.GroundTruth.Validate(filepath.Join(dir, TruthFile)); err != nil {
		return nil, err
	}
	r.Truth, r.Derived = tf.GroundTruth, tf.Derived
	return r, nil
}
