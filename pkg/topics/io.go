package topics

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Files written by Save, in the output folder.
const (
	// ModelFile holds everything but the matrices, as JSON: settings,
	// vocabulary, clip ids, priors, preparation report, perplexity.
	ModelFile = "model.json"
	// TopicWordFile is φ, float32 [K, V]: p(word | topic).
	TopicWordFile = "topic_word.npy"
	// ThetaFile is θ, float32 [D, K]: p(topic | clip), rows in ClipsFile order.
	ThetaFile = "theta.npy"
	// VocabFile lists the vocabulary, one word a line (the columns of φ).
	VocabFile = "vocab.txt"
	// ClipsFile lists the clip ids, one a line (the rows of θ and labels).
	ClipsFile = "clips.txt"
	// TopicsFile is a CSV table of topics: id, share, clips, coherence, top words.
	TopicsFile = "topics.csv"
	// LabelsFile is a CSV of each clip's label topics and their weights.
	LabelsFile = "labels.csv"
	// LabelsNPYFile is the multi-hot labels, uint8 [D, K].
	LabelsNPYFile = "labels.npy"
	// QualityFile holds the Quality measures as JSON.
	QualityFile = "quality.json"
)

// modelFormat names the layout of model.json; Load refuses others.
const modelFormat = "neurotopics-topics/1"

type modelJSON struct {
	Format            string       `json:"format"`
	K                 int          `json:"k"`
	V                 int          `json:"v"`
	D                 int          `json:"d"`
	Config            Config       `json:"config"`
	Text              TextOptions  `json:"text"`
	Alpha             []float64    `json:"alpha"`
	TopicTokens       []float64    `json:"topic_tokens"`
	DocTokens         []int        `json:"doc_tokens"`
	Perplexity        float64      `json:"perplexity"`
	HeldOutPerplexity float64      `json:"held_out_perplexity,omitempty"`
	TrainSeconds      float64      `json:"train_seconds"`
	Trace             []TracePoint `json:"trace,omitempty"`
	Prep              PrepReport   `json:"prep"`
	Terms             []string     `json:"terms"`
	Vocab             []string     `json:"vocab"`
	IDs               []string     `json:"clips"`
	Files             []string     `json:"files"`
}

// Save writes the model to dir (created if needed): model.json, φ and θ as
// .npy, vocab.txt and clips.txt; with labels, labels.csv and labels.npy;
// with q, quality.json; and topics.csv (its coherence columns need q). Each
// file is written atomically.
func Save(dir string, m *Model, l *Labels, q *Quality) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("saving topics: %w", err)
	}
	files := []string{ModelFile, TopicWordFile, ThetaFile, VocabFile, ClipsFile, TopicsFile}
	if l != nil {
		files = append(files, LabelsFile, LabelsNPYFile)
	}
	if q != nil {
		files = append(files, QualityFile)
	}
	mj := modelJSON{Format: modelFormat, K: m.K, V: m.V, D: len(m.IDs), Config: m.Config, Text: m.Text,
		Alpha: m.Alpha, TopicTokens: m.TopicTokens, DocTokens: m.DocTokens, Perplexity: m.Perplexity,
		HeldOutPerplexity: m.HeldOutPerplexity, TrainSeconds: m.TrainSeconds, Trace: m.Trace, Prep: m.Prep,
		Terms: m.Terms, Vocab: m.Vocab, IDs: m.IDs, Files: files}
	if err := writeJSON(filepath.Join(dir, ModelFile), mj); err != nil {
		return err
	}
	if err := corpus.WriteNPY(filepath.Join(dir, TopicWordFile), []int{m.K, m.V}, m.Phi, corpus.DTypeFloat32); err != nil {
		return fmt.Errorf("saving topics: %w", err)
	}
	if err := corpus.WriteNPY(filepath.Join(dir, ThetaFile), []int{len(m.IDs), m.K}, m.Theta, corpus.DTypeFloat32); err != nil {
		return fmt.Errorf("saving topics: %w", err)
	}
	if err := writeLines(filepath.Join(dir, VocabFile), m.Vocab); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(dir, ClipsFile), m.IDs); err != nil {
		return err
	}
	if err := corpus.WriteFileAtomic(filepath.Join(dir, TopicsFile), func(w io.Writer) error { return WriteTopicsCSV(w, m, q, 10) }); err != nil {
		return fmt.Errorf("saving topics: %w", err)
	}
	if l != nil {
		if err := corpus.WriteFileAtomic(filepath.Join(dir, LabelsFile), func(w io.Writer) error { return WriteLabelsCSV(w, l) }); err != nil {
			return fmt.Errorf("saving topics: %w", err)
		}
		if err := corpus.WriteNPY(filepath.Join(dir, LabelsNPYFile), []int{len(l.IDs), l.K}, l.MultiHot(), corpus.DTypeUint8); err != nil {
			return fmt.Errorf("saving topics: %w", err)
		}
	}
	if q != nil {
		if err := writeJSON(filepath.Join(dir, QualityFile), q); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	data = append(data, '\n')
	if err := corpus.WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return fmt.Errorf("saving topics: %w", err)
	}
	return nil
}

func writeLines(path string, lines []string) error {
	err := corpus.WriteFileAtomic(path, func(w io.Writer) error {
		for _, s := range lines {
			if _, err := io.WriteString(w, s+"\n"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("saving topics: %w", err)
	}
	return nil
}

// WriteTopicsCSV writes one row per topic, in topic order: topic, share of
// tokens, clips labelled, NPMI and label-derived NPMI (empty without q),
// prior α_k, and the n top words separated by spaces.
func WriteTopicsCSV(w io.Writer, m *Model, q *Quality, n int) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"topic", "share", "clips", "npmi", "label_npmi", "alpha", "top_words"}); err != nil {
		return err
	}
	total := 0.0
	for _, x := range m.TopicTokens {
		total += x
	}
	for k := 0; k < m.K; k++ {
		share := 0.0
		if total > 0 {
			share = m.TopicTokens[k] / total
		}
		row := []string{strconv.Itoa(k), strconv.FormatFloat(share, 'f', 5, 64), "", "", "", strconv.FormatFloat(m.Alpha[k], 'g', 5, 64), strings.Join(m.TopWords(k, n), " ")}
		if q != nil {
			row[2] = strconv.Itoa(q.TopicClips[k])
			row[3] = strconv.FormatFloat(q.TopicNPMI[k], 'f', 4, 64)
			if q.TopicClips[k] > 0 {
				row[4] = strconv.FormatFloat(q.TopicLabelNPMI[k], 'f', 4, 64)
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteLabelsCSV writes the labels as CSV with a header: clip, topics
// (space-separated topic indices, strongest first), weights (their θ).
func WriteLabelsCSV(w io.Writer, l *Labels) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"clip", "topics", "weights"}); err != nil {
		return err
	}
	for i, id := range l.IDs {
		ts := make([]string, len(l.Topics[i]))
		ws := make([]string, len(l.Topics[i]))
		for j, k := range l.Topics[i] {
			ts[j] = strconv.Itoa(k)
			ws[j] = strconv.FormatFloat(float64(l.Weights[i][j]), 'f', 4, 32)
		}
		if err := cw.Write([]string{id, strings.Join(ts, " "), strings.Join(ws, " ")}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadLabelsCSV reads labels written by WriteLabelsCSV for a K-topic model.
// name is used in error messages. It checks the header, that every topic
// index is in [0, K) and not repeated, that weights (when present) match
// the topics and are numbers in [0, 1], and that clip ids are unique.
// The labelling rule (TopK, MinWeight) is not stored in the CSV: TopK is
// set to the largest number of topics found, MinWeight to 0.
func ReadLabelsCSV(r io.Reader, name string, K int) (*Labels, error) {
	if K < 1 {
		return nil, fmt.Errorf("%s: reading labels needs the number of topics, got K = %d", name, K)
	}
	cr := csv.NewReader(corpus.LineLimitReader(r, corpus.MaxLineBytes))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file; expected a header clip,topics,weights", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(header) < 2 || strings.TrimPrefix(header[0], "\ufeff") != "clip" || header[1] != "topics" || (len(header) > 2 && header[2] != "weights") {
		return nil, fmt.Errorf("%s: expected the header clip,topics,weights; found %q", name, corpus.Short(strings.Join(header, ",")))
	}
	hasWeights := len(header) > 2
	l := &Labels{K: K}
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s:%d: expected %d fields, found %d", name, line, len(header), len(rec))
		}
		id := rec[0]
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty clip id", name, line)
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return nil, fmt.Errorf("%s:%d: invalid UTF-8 text; expected a UTF-8 CSV", name, line)
			}
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s:%d: clip %q already labelled on line %d", name, line, corpus.Short(id), prev)
		}
		seen[id] = line
		var topics []int
		used := map[int]bool{}
		for _, f := range strings.Fields(rec[1]) {
			k, err := strconv.Atoi(f)
			if err != nil || k < 0 || k >= K {
				return nil, fmt.Errorf("%s:%d: clip %q: topic %q is not an index in [0, %d)", name, line, corpus.Short(id), corpus.Short(f), K)
			}
			if used[k] {
				return nil, fmt.Errorf("%s:%d: clip %q: topic %d listed twice", name, line, corpus.Short(id), k)
			}
			used[k] = true
			topics = append(topics, k)
		}
		weights := make([]float32, len(topics))
		if hasWeights && strings.TrimSpace(rec[2]) != "" {
			ws := strings.Fields(rec[2])
			if len(ws) != len(topics) {
				return nil, fmt.Errorf("%s:%d: clip %q: %d weights for %d topics", name, line, id, len(ws), len(topics))
			}
			for j, f := range ws {
				x, err := strconv.ParseFloat(f, 32)
				if err != nil || !(x >= 0 && x <= 1) {
					return nil, fmt.Errorf("%s:%d: clip %q: weight %q is not a number in [0, 1]", name, line, id, f)
				}
				weights[j] = float32(x)
			}
		}
		if topics == nil {
			topics = []int{}
		}
		l.IDs = append(l.IDs, id)
		l.Topics = append(l.Topics, topics)
		l.Weights = append(l.Weights, weights)
		l.TopK = max(l.TopK, len(topics))
	}
	if len(l.IDs) == 0 {
		return nil, fmt.Errorf("%s: no labels after the header", name)
	}
	return l, nil
}

// LoadLabels reads labels.csv from a folder written by Save (K is read from
// its model.json).
func LoadLabels(dir string) (*Labels, error) {
	mj, err := readModelJSON(filepath.Join(dir, ModelFile))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LabelsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loading labels: %w", err)
	}
	defer f.Close()
	return ReadLabelsCSV(f, path, mj.K)
}

// DecodeModelJSON parses and checks the contents of a model.json: format,
// sizes and that every list has the length the sizes say.
func DecodeModelJSON(data []byte, name string) (*Model, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty file; expected a topic model's %s", name, ModelFile)
	}
	var mj modelJSON
	if err := json.Unmarshal(data, &mj); err != nil {
		return nil, fmt.Errorf("%s: not a topic model's %s: %w", name, ModelFile, err)
	}
	if mj.Format != modelFormat {
		return nil, fmt.Errorf("%s: format %q; expected %q", name, mj.Format, modelFormat)
	}
	switch {
	case mj.K < 1 || mj.V < 1 || mj.D < 1:
		return nil, fmt.Errorf("%s: sizes k=%d v=%d d=%d; expected all positive", name, mj.K, mj.V, mj.D)
	case mj.K > mj.V:
		return nil, fmt.Errorf("%s: k=%d topics for v=%d words", name, mj.K, mj.V)
	case len(mj.Terms) != mj.V || len(mj.Vocab) != mj.V:
		return nil, fmt.Errorf("%s: %d terms and %d vocabulary words for v=%d", name, len(mj.Terms), len(mj.Vocab), mj.V)
	case len(mj.IDs) != mj.D || len(mj.DocTokens) != mj.D:
		return nil, fmt.Errorf("%s: %d clip ids and %d token counts for d=%d", name, len(mj.IDs), len(mj.DocTokens), mj.D)
	case len(mj.Alpha) != mj.K || len(mj.TopicTokens) != mj.K:
		return nil, fmt.Errorf("%s: %d priors and %d topic sizes for k=%d", name, len(mj.Alpha), len(mj.TopicTokens), mj.K)
	}
	for k, a := range mj.Alpha {
		if !(a > 0) || math.IsInf(a, 0) {
			return nil, fmt.Errorf("%s: alpha[%d] = %g; expected a positive number", name, k, a)
		}
	}
	for d, n := range mj.DocTokens {
		if n < 0 {
			return nil, fmt.Errorf("%s: doc_tokens[%d] = %d; expected ≥ 0", name, d, n)
		}
	}
	seen := make(map[string]bool, len(mj.IDs))
	for _, id := range mj.IDs {
		if seen[id] {
			return nil, fmt.Errorf("%s: clip %q listed twice", name, id)
		}
		seen[id] = true
	}
	terms := make(map[string]bool, len(mj.Terms))
	for _, t := range mj.Terms {
		if terms[t] {
			return nil, fmt.Errorf("%s: vocabulary term %q listed twice", name, t)
		}
		terms[t] = true
	}
	m := &Model{K: mj.K, V: mj.V, Config: mj.Config, Text: mj.Text, IDs: mj.IDs, Terms: mj.Terms, Vocab: mj.Vocab,
		Alpha: mj.Alpha, TopicTokens: mj.TopicTokens, DocTokens: mj.DocTokens, Prep: mj.Prep,
		Perplexity: mj.Perplexity, HeldOutPerplexity: mj.HeldOutPerplexity, Trace: mj.Trace, TrainSeconds: mj.TrainSeconds}
	return m, nil
}

func readModelJSON(path string) (*Model, error) {
	data, err := corpus.ReadJSONBytes(path, "a topic model's model.json")
	if err != nil {
		return nil, fmt.Errorf("loading topics: %w", err)
	}
	return DecodeModelJSON(data, path)
}

// Load reads a model written by Save. It checks that the matrices have the
// shapes model.json gives and hold finite probabilities.
func Load(dir string) (*Model, error) {
	m, err := readModelJSON(filepath.Join(dir, ModelFile))
	if err != nil {
		return nil, err
	}
	phi, err := readMatrix(filepath.Join(dir, TopicWordFile), m.K, m.V)
	if err != nil {
		return nil, err
	}
	theta, err := readMatrix(filepath.Join(dir, ThetaFile), len(m.IDs), m.K)
	if err != nil {
		return nil, err
	}
	m.Phi, m.Theta = phi, theta
	return m, nil
}

func readMatrix(path string, rows, cols int) ([]float32, error) {
	a, err := corpus.ReadNPY(path)
	if err != nil {
		return nil, fmt.Errorf("loading topics: %w", err)
	}
	if len(a.Shape) != 2 || a.Shape[0] != rows || a.Shape[1] != cols {
		return nil, fmt.Errorf("loading topics: %s has shape %v; expected [%d %d]", path, a.Shape, rows, cols)
	}
	for i, x := range a.Data {
		if !(x >= 0 && x <= 1) {
			return nil, fmt.Errorf("loading topics: %s: element %d = %g; expected a probability in [0, 1]", path, i, x)
		}
	}
	return a.Data, nil
}
