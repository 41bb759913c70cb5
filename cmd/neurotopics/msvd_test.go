package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/internal/shareddata"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// TestRunOnMSVD runs the whole pipeline on the real MSVD captions with
// features the test makes ([clips, 8, 64], seeded: a clip's frames are noise
// around a vector of its first caption's words, so captions can be learnt a
// little), leaving 10 captioned clips without features and adding 3 feature
// rows of clips without captions. Every stage runs; the report has every
// section that applies (transfer says why it is absent: MSVD has no
// categories) and counts the clips joined and missing.
func TestRunOnMSVD(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline on 1,970 MSVD clips (about a minute); scripts/test.sh runs it")
	}
	msvd, ok := shareddata.MSVDDir()
	if !ok {
		t.Skipf("no MSVD captions at %s (set %s): the real-data test needs them", msvd, shareddata.MSVDEnv)
	}
	caps, err := corpus.LoadCaptions(msvd)
	if err != nil {
		t.Fatal(err)
	}
	const frames, dim, left = 8, 64, 10
	var ids []string
	for _, id := range caps.Clips[left:] {
		ids = append(ids, id)
	}
	ids = append(ids, "extra1", "extra2", "extra3")
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]float32, 0, len(ids)*frames*dim)
	for _, id := range ids {
		base := make([]float32, dim)
		if refs := caps.ByClip[id]; len(refs) > 0 {
			for _, w := range corpus.Tokenize(refs[0]) {
				h := 0
				for _, c := range w {
					h = (h*31 + int(c)) % dim
				}
				base[h]++
			}
		}
		for f := 0; f < frames; f++ {
			for k := 0; k < dim; k++ {
				data = append(data, base[k]+float32(r.NormFloat64())*0.1)
			}
		}
	}
	dir := t.TempDir()
	feats, idList := filepath.Join(dir, "features.npy"), filepath.Join(dir, "ids.txt")
	if err := corpus.WriteNPY(feats, []int{len(ids), frames, dim}, data, corpus.DTypeFloat32); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(idList, []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report")
	log, err := run(t, "run", "--quiet", "--captions", msvd, "--features", feats, "--ids", idList, "--out", out,
		"--steps", "30", "--topics-k", "12", "--transfer-seeds", "1", "--interpret-clips", "40", "--revise-clips", "60", "--set", smallModels+";min_word_count=5;beam_size=1")
	if err != nil {
		t.Fatalf("run on MSVD: %v\n%s", err, log)
	}
	for _, w := range []string{"10 clips have captions but no features", "3 clips have features but no captions"} {
		if !strings.Contains(log, w) {
			t.Errorf("the run's log does not say %q:\n%s", w, log)
		}
	}
	if got, want := sections(t, out), []string{"overview", "topics", "captioning", "interpretability", "neurons", "transfer", "revision"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sections %v; want %v", got, want)
	}
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	for _, w := range []string{"1970 clips with captions, 1963 with features, 1960 with both", "no class labels", "This dataset has no ground truth", "reference-derived truth"} {
		if !strings.Contains(string(page), w) {
			t.Errorf("the report does not say %q", w)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Data       map[string]int `json:"data"`
		Captioning struct {
			Models map[string]map[string]float64 `json:"models"`
		} `json:"captioning"`
		Revision struct {
			Clips int `json:"clips"`
		} `json:"revision"`
		Transfer any `json:"transfer"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"captioned": 1970, "featured": 1963, "joined": 1960, "no_features": 10, "no_captions": 3}; !reflect.DeepEqual(m.Data, want) {
		t.Errorf("metrics.json data = %v; want %v", m.Data, want)
	}
	if len(m.Captioning.Models) != 3 || m.Transfer != nil || m.Revision.Clips != 60 {
		t.Errorf("metrics.json: %d models (want 3: baseline, the paper's setting, topic units), transfer %v (want none), revision on %d clips (want 60)", len(m.Captioning.Models), m.Transfer, m.Revision.Clips)
	}
	for name, s := range m.Captioning.Models {
		if c, ok := s["CIDEr-D"]; !ok || c < 0 {
			t.Errorf("%s: CIDEr-D %v", name, fmt.Sprint(s["CIDEr-D"]))
		}
	}
}
