// Command topics-bench measures neurotopics' topic extraction (pkg/topics)
// side by side with scikit-learn's LatentDirichletAllocation on MSVD, and
// its recovery of ground-truth concepts on the synthetic corpus. It prints
// Markdown for docs/benchmarks.md.
//
//	go run ./bench/topics                     # MSVD vs scikit-learn, then synthetic
//	go run ./bench/topics -sklearn=false      # without the Python side
//	go run ./bench/topics -msvd=false         # synthetic only
//
// The MSVD captions are read from -data (default ../shared/data/msvd, the
// shared folder next to the repository); they are never copied into the
// repository. The scikit-learn side runs bench/topics/sklearn_lda.py under
// -python (default /usr/bin/python3, which needs python3-sklearn).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neurotopics/neurotopics/internal/cpuclock"
	"github.com/neurotopics/neurotopics/internal/shareddata"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/topics"
)

func main() {
	var (
		data      = flag.String("data", defaultMSVD(), "MSVD caption folder (default: $NEUROTOPICS_MSVD or ../shared/data/msvd)")
		python    = flag.String("python", "/usr/bin/python3", "Python with scikit-learn for the reference side")
		script    = flag.String("script", "bench/topics/sklearn_lda.py", "the reference script")
		out       = flag.String("out", "", "folder for intermediate files (default: a temporary folder)")
		runMSVD   = flag.Bool("msvd", true, "run the MSVD comparison")
		runSK     = flag.Bool("sklearn", true, "run scikit-learn for the comparison")
		runSynth  = flag.Bool("synth", true, "run the synthetic-corpus concept recovery")
		runs      = flag.Int("runs", 5, "times to train neurotopics on MSVD (the median time is reported)")
		k         = flag.Int("k", 100, "topics on MSVD")
		skIter    = flag.Int("sklearn-iter", 30, "scikit-learn batch iterations")
		synthK    = flag.String("synth-k", "30,100", "topics on the synthetic corpus (comma-separated list)")
		iters     = flag.Int("iterations", 0, "override the sweeps of neurotopics (0: default)")
		mh        = flag.Int("mh-steps", 0, "override the MH rounds of neurotopics (0: default)")
		alpha     = flag.Float64("alpha", 0, "override α (0: default)")
		beta      = flag.Float64("beta", 0, "override β (0: default)")
		seed      = flag.Uint64("seed", 1, "neurotopics seed")
		synthStem = flag.Bool("synth-stem", true, "stem words on the synthetic corpus")
	)
	flag.Parse()
	dir := *out
	if dir == "" {
		d, err := os.MkdirTemp("", "topics-bench")
		check(err)
		defer os.RemoveAll(d)
		dir = d
	}
	check(os.MkdirAll(dir, 0o755))
	cfg := topics.DefaultConfig()
	cfg.Seed = *seed
	if *iters > 0 {
		cfg.Iterations = *iters
	}
	if *mh > 0 {
		cfg.MHSteps = *mh
	}
	if *alpha > 0 {
		cfg.Alpha = *alpha
	}
	if *beta > 0 {
		cfg.Beta = *beta
	}
	fmt.Printf("<!-- %s, %s, GOMAXPROCS %d, load average at start %s -->\n\n", time.Now().UTC().Format(time.RFC3339), runtime.Version(), runtime.GOMAXPROCS(0), loadAvg())
	if *runMSVD {
		benchMSVD(*data, dir, *python, *script, *runSK, *runs, *k, *skIter, cfg)
	}
	if *runSynth {
		for _, f := range strings.Split(*synthK, ",") {
			k, err := strconv.Atoi(strings.TrimSpace(f))
			check(err)
			cfg.K = k
			benchSynth(cfg, *synthStem)
		}
	}
	fmt.Printf("<!-- load average at end %s -->\n", loadAvg())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "topics-bench:", err)
		os.Exit(1)
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

type skResult struct {
	Clips                   int     `json:"clips"`
	Vocab                   int     `json:"vocab"`
	Tokens                  int     `json:"tokens"`
	VectorizeSeconds        float64 `json:"vectorize_seconds"`
	FitSeconds              float64 `json:"fit_seconds"`
	FitCPUSeconds           float64 `json:"fit_cpu_seconds"`
	TransformSeconds        float64 `json:"transform_seconds"`
	Sklearn                 string  `json:"sklearn"`
	Numpy                   string  `json:"numpy"`
	SklearnLabelNPMI        float64 `json:"sklearn_label_npmi"`
	SklearnPhiNPMI          float64 `json:"sklearn_phi_npmi"`
	GoLabelNPMISklearnDocs  float64 `json:"go_label_npmi_sklearn_docs"`
	GoLabelNPMIGoDocs       float64 `json:"go_label_npmi_go_docs"`
	SklearnLabelNPMIGoDocs  float64 `json:"sklearn_label_npmi_go_docs"`
	SklearnLabelTopicsUsed  int     `json:"sklearn_label_topics"`
	SklearnLabelNPMITfidf   float64 `json:"sklearn_label_npmi_tfidf_sum"`
	GoLabelNPMITfidf        float64 `json:"go_label_npmi_tfidf_sum"`
	GoLabelTopicsUsedSKDocs int     `json:"go_label_topics"`
}

func benchMSVD(data, dir, python, script string, runSK bool, runs, K, skIter int, cfg topics.Config) {
	t0 := time.Now()
	caps, err := corpus.LoadCaptions(data)
	check(err)
	load := time.Since(t0)
	t0 = time.Now()
	c, err := topics.FromCaptions(caps, topics.DefaultTextOptions())
	check(err)
	prep := time.Since(t0)
	cfg.K = K
	var m *topics.Model
	var times, cpus []float64
	for r := 0; r < max(1, runs); r++ {
		t0, c0 := time.Now(), cpuclock.Seconds()
		mm, err := topics.Train(c, cfg)
		check(err)
		times = append(times, time.Since(t0).Seconds())
		cpus = append(cpus, cpuclock.Seconds()-c0)
		if m != nil && !slices.Equal(m.Theta, mm.Theta) {
			check(fmt.Errorf("training twice with seed %d gave different θ", cfg.Seed))
		}
		m = mm
	}
	slices.Sort(times)
	slices.Sort(cpus)
	train, trainCPU := times[len(times)/2], cpus[len(cpus)/2]
	top3 := m.Labels(3, 0)
	q, err := topics.Evaluate(m, c, top3)
	check(err)
	qDefault, err := topics.Evaluate(m, c, m.Labels(topics.DefaultLabelTopK, topics.DefaultLabelMinWeight))
	check(err)

	fmt.Printf("#### MSVD, K = %d (%d clips, %d captions)\n\n", K, len(caps.Clips), caps.NumCaptions())
	fmt.Printf("neurotopics: %d of %d tokens kept, vocabulary %d; α=%g β=%g, %d sweeps × %d MH proposals, seed %d, %d workers.\n",
		c.Prep.Tokens, c.Prep.RawTokens, c.Prep.Vocab, cfg.Alpha, cfg.Beta, cfg.Iterations, cfg.MHSteps, cfg.Seed, runtime.GOMAXPROCS(0))
	fmt.Printf("Training times over %d runs (identical results): %s s wall, %s s CPU.\n\n", len(times), joinF(times), joinF(cpus))

	var sk *skResult
	if runSK {
		sk = runSklearn(python, script, data, dir, m, c, K, skIter)
	}
	if sk != nil {
		fmt.Printf("scikit-learn %s (numpy %s): %d tokens kept, vocabulary %d; batch, %d iterations, random_state 0.\n\n",
			sk.Sklearn, sk.Numpy, sk.Tokens, sk.Vocab, skIter)
	}
	fmt.Println("| | neurotopics | scikit-learn | ratio |")
	fmt.Println("|---|---|---|---|")
	if sk != nil {
		fmt.Printf("| fit time (s) | %.2f | %.2f | **%.1f× faster** |\n", train, sk.FitSeconds, sk.FitSeconds/train)
		fmt.Printf("| fit CPU time, all threads (s) | %.2f | %.2f | %.1f× less |\n", trainCPU, sk.FitCPUSeconds, sk.FitCPUSeconds/trainCPU)
		fmt.Printf("| preparation + fit (s) | %.2f | %.2f | %.1f× |\n", prep.Seconds()+train, sk.VectorizeSeconds+sk.FitSeconds, (sk.VectorizeSeconds+sk.FitSeconds)/(prep.Seconds()+train))
	} else {
		fmt.Printf("| fit time (s) | %.2f | – | |\n", train)
	}
	skLabel := func(v float64) string {
		if sk == nil {
			return "–"
		}
		return fmt.Sprintf("%.3f", v)
	}
	var skGoDocs float64
	if sk != nil {
		// scikit-learn's labels scored on neurotopics' documents, in Go.
		skTheta, err := corpus.ReadNPY(filepath.Join(dir, "sklearn_theta.npy"))
		check(err)
		skClips, err := os.ReadFile(filepath.Join(dir, "sklearn_clips.txt"))
		check(err)
		rowOf := map[string]int{}
		for i, id := range strings.Split(strings.TrimSuffix(string(skClips), "\n"), "\n") {
			rowOf[id] = i
		}
		labels := make([][]int, len(m.IDs))
		Ks := skTheta.Shape[1]
		for d, id := range m.IDs {
			row := skTheta.Data[rowOf[id]*Ks : (rowOf[id]+1)*Ks]
			labels[d] = topK(row, 3)
		}
		co := topics.NewCooccurrence(c.Docs, m.V)
		n := 0
		for _, ws := range topics.LabelTopWords(c.Docs, m.V, labels, Ks, 10) {
			if ws != nil {
				skGoDocs += co.NPMI(ws)
				n++
			}
		}
		skGoDocs /= float64(n)
	}
	fmt.Printf("| label-derived NPMI@10, neurotopics' documents | **%.3f** | %s | |\n", q.LabelNPMI, skLabel(skGoDocs))
	if sk != nil {
		fmt.Printf("| label-derived NPMI@10, scikit-learn's documents | **%.3f** | %s | |\n", sk.GoLabelNPMISklearnDocs, skLabel(sk.SklearnLabelNPMI))
		fmt.Printf("| label-derived NPMI@10, words ranked by summed tf-idf (variant), scikit-learn's documents | %.3f | %.3f | |\n", sk.GoLabelNPMITfidf, sk.SklearnLabelNPMITfidf)
		fmt.Printf("| NPMI@10 of top words by φ, own documents | %.3f | %.3f | |\n", q.NPMI, sk.SklearnPhiNPMI)
	} else {
		fmt.Printf("| NPMI@10 of top words by φ | %.3f | – | |\n", q.NPMI)
	}
	fmt.Printf("| topic diversity@25 | %.3f | | |\n", q.Diversity)
	fmt.Printf("| training perplexity | %.1f | | |\n", m.Perplexity)
	fmt.Printf("\nWith neurotopics' default labels (top %d, θ ≥ %g): label-derived NPMI@10 %.3f, %d topics used.\n",
		topics.DefaultLabelTopK, topics.DefaultLabelMinWeight, qDefault.LabelNPMI, qDefault.LabelTopicsUsed)
	if sk != nil {
		fmt.Printf("Cross-check of the two metric implementations on neurotopics' labels and documents: Go %.4f, Python %.4f; "+
			"scikit-learn's labels on neurotopics' documents: Go %.4f, Python %.4f.\n",
			q.LabelNPMI, sk.GoLabelNPMIGoDocs, skGoDocs, sk.SklearnLabelNPMIGoDocs)
	}
	fmt.Printf("(Caption loading %.2fs and preparation %.2fs are outside the fit time.)\n\n", load.Seconds(), prep.Seconds())
}

func topK(row []float32, n int) []int {
	idx := make([]int, len(row))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case row[a] > row[b]:
			return -1
		case row[a] < row[b]:
			return 1
		}
		return 0
	})
	return idx[:min(n, len(idx))]
}

func joinF(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(s, ", ")
}

func runSklearn(python, script, data, dir string, m *topics.Model, c *topics.Corpus, K, iters int) *skResult {
	if _, err := os.Stat(python); err != nil {
		fmt.Printf("(scikit-learn side skipped: %s not found)\n\n", python)
		return nil
	}
	goTheta := filepath.Join(dir, "go_theta.npy")
	check(corpus.WriteNPY(goTheta, []int{len(m.IDs), m.K}, m.Theta, corpus.DTypeFloat32))
	goClips := filepath.Join(dir, "go_clips.txt")
	check(os.WriteFile(goClips, []byte(strings.Join(m.IDs, "\n")+"\n"), 0o644))
	goDocs := filepath.Join(dir, "go_docs.txt")
	check(corpus.WriteFileAtomic(goDocs, func(w io.Writer) error {
		for _, doc := range c.Docs {
			s := make([]string, len(doc))
			for i, x := range doc {
				s[i] = strconv.Itoa(int(x))
			}
			if _, err := fmt.Fprintln(w, strings.Join(s, " ")); err != nil {
				return err
			}
		}
		return nil
	}))
	cmd := exec.Command(python, script, "--data", data, "--out", dir, "--k", strconv.Itoa(K), "--iter", strconv.Itoa(iters),
		"--go-theta", goTheta, "--go-clips", goClips, "--go-docs", goDocs)
	cmd.Stderr = os.Stderr
	outp, err := cmd.Output()
	if err != nil {
		fmt.Printf("(scikit-learn side failed: %v; install python3-sklearn)\n\n", err)
		return nil
	}
	var r skResult
	lines := strings.Split(strings.TrimSpace(string(outp)), "\n")
	check(json.Unmarshal([]byte(lines[len(lines)-1]), &r))
	return &r
}

func benchSynth(cfg topics.Config, stem bool) {
	sc, err := synthexp.Generate(synthexp.DefaultSynthConfig())
	check(err)
	truth := map[string][]string{}
	for i := range sc.Clips {
		truth[sc.Clips[i].ID] = sc.Clips[i].Concepts()
	}
	text := topics.DefaultTextOptions()
	text.Stem = stem
	c, err := topics.FromCaptions(sc.Captions(), text)
	check(err)
	m, err := topics.Train(c, cfg)
	check(err)
	l := m.Labels(topics.DefaultLabelTopK, topics.DefaultLabelMinWeight)
	rep, err := topics.EvaluateConcepts(m, l, truth)
	check(err)
	q, err := topics.Evaluate(m, c, l)
	check(err)
	fmt.Printf("#### Synthetic corpus (default seed, %d clips), K = %d, stemming %v\n\n", len(sc.Clips), cfg.K, stem)
	fmt.Printf("Trained in %.2f s (%d tokens, vocabulary %d); NPMI@10 %.3f, label-derived %.3f, diversity %.3f.\n\n",
		m.TrainSeconds, c.Prep.Tokens, c.Prep.Vocab, q.NPMI, q.LabelNPMI, q.Diversity)
	fmt.Println("| family | topics matched | clips scored | NMI | purity | accuracy |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, f := range rep.Families {
		fmt.Printf("| %s | %d | %d (%d skipped) | %.3f | %.3f | %.3f |\n", f.Family, f.Topics, f.Clips, f.Skipped, f.NMI, f.Purity, f.Accuracy)
	}
	fmt.Print("\n<details><summary>Which concept each topic matches</summary>\n\n")
	fmt.Println("| topic | concept | IoU | precision | recall | top words |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, tc := range rep.Topics {
		fmt.Printf("| %d | %s | %.2f | %.2f | %.2f | %s |\n", tc.Topic, tc.Concept, tc.IoU, tc.Precision, tc.Recall, strings.Join(m.TopWords(tc.Topic, 6), " "))
	}
	fmt.Print("\n</details>\n\n")
}

// defaultMSVD is the shared MSVD folder found by shareddata.MSVDDir.
func defaultMSVD() string {
	d, _ := shareddata.MSVDDir()
	return d
}
