package topics

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// TopicConcept says which ground-truth concept a topic matches best.
type TopicConcept struct {
	Topic int `json:"topic"`
	// Concept is the best match, "family:value" ("" when the topic labels
	// no clip with ground truth).
	Concept string `json:"concept"`
	// IoU, Precision and Recall compare the clips labelled with the topic
	// (A) and the clips that have the concept (B): |A∩B| / |A∪B|,
	// |A∩B| / |A| and |A∩B| / |B|.
	IoU       float64 `json:"iou"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	// Clips is |A|.
	Clips int `json:"clips"`
}

// FamilyScore measures how well topics recover one concept family.
type FamilyScore struct {
	// Family is the concept family ("shape", "color", …).
	Family string `json:"family"`
	// Topics is the number of topics whose best match is in the family.
	Topics int `json:"topics"`
	// Clips is the number of clips scored: those with words and exactly
	// one value of the family. Skipped counts the others (a two-object clip
	// with two different shapes, for instance).
	Clips   int `json:"clips"`
	Skipped int `json:"skipped"`
	// NMI is the normalized mutual information (arithmetic normalization,
	// 2·I / (H(topic) + H(value))) between each clip's family topic — its
	// strongest topic among the family's topics — and its true value.
	NMI float64 `json:"nmi"`
	// Purity is Σ_topics max_value n(topic, value) / Clips.
	Purity float64 `json:"purity"`
	// Accuracy is the share of clips whose family topic matches their value.
	Accuracy float64 `json:"accuracy"`
}

// ConceptReport compares topics with ground-truth concepts.
type ConceptReport struct {
	Families []FamilyScore  `json:"families"`
	Topics   []TopicConcept `json:"topics"`
}

// Family returns the score of a family, or nil.
func (r *ConceptReport) Family(name string) *FamilyScore {
	for i := range r.Families {
		if r.Families[i].Family == name {
			return &r.Families[i]
		}
	}
	return nil
}

// ConceptsOf returns the concept a topic matches (none when it matches
// nothing), the topic ↔ concept correspondence used to score units.
func (r *ConceptReport) ConceptsOf(topic int) []string {
	if topic < 0 || topic >= len(r.Topics) || r.Topics[topic].Concept == "" {
		return nil
	}
	return []string{r.Topics[topic].Concept}
}

// EvaluateConcepts compares a model's topics with ground truth: truth maps a
// clip id to its concepts, each "family:value" (the synthetic corpus'
// Clip.Concepts). Clips without ground truth are ignored.
//
// Each topic is matched to the concept whose clips best overlap the clips
// it labels (largest IoU). Each family then gets the topics matched to its
// concepts, and every clip is assigned its strongest topic (by θ) among
// them; NMI and purity compare that assignment with the clip's value of the
// family. This is how "the clips' top topic" is read when a clip carries
// one concept of each family and topics specialise by family.
func EvaluateConcepts(m *Model, l *Labels, truth map[string][]string) (*ConceptReport, error) {
	if l == nil {
		l = m.Labels(DefaultLabelTopK, DefaultLabelMinWeight)
	}
	if len(l.IDs) != len(m.IDs) || len(l.Topics) != len(m.IDs) || l.K != m.K {
		return nil, fmt.Errorf("evaluating concepts: %d labels of %d topics for %d documents of a %d-topic model", len(l.IDs), l.K, len(m.IDs), m.K)
	}
	// Concept → clips (document rows) that have it.
	have := map[string][]bool{}
	families := map[string]bool{}
	known := make([]bool, len(m.IDs))
	nKnown := 0
	for d, id := range m.IDs {
		cs, ok := truth[id]
		if !ok {
			continue
		}
		known[d] = true
		nKnown++
		for _, c := range cs {
			fam, _, ok := strings.Cut(c, ":")
			if !ok {
				return nil, fmt.Errorf("evaluating concepts: clip %q: concept %q is not \"family:value\"", id, c)
			}
			families[fam] = true
			if have[c] == nil {
				have[c] = make([]bool, len(m.IDs))
			}
			have[c][d] = true
		}
	}
	if nKnown == 0 {
		return nil, fmt.Errorf("evaluating concepts: none of the model's %d clips has ground truth", len(m.IDs))
	}
	concepts := make([]string, 0, len(have))
	for c := range have {
		concepts = append(concepts, c)
	}
	sort.Strings(concepts)

	rep := &ConceptReport{}
	inTopic := make([][]bool, m.K)
	size := make([]int, m.K)
	for k := range inTopic {
		inTopic[k] = make([]bool, len(m.IDs))
	}
	for d, ts := range l.Topics {
		if !known[d] {
			continue
		}
		for _, k := range ts {
			if k >= 0 && k < m.K {
				inTopic[k][d] = true
				size[k]++
			}
		}
	}
	csize := map[string]int{}
	for _, c := range concepts {
		for _, h := range have[c] {
			if h {
				csize[c]++
			}
		}
	}
	match := make([]string, m.K)
	for k := 0; k < m.K; k++ {
		tc := TopicConcept{Topic: k, Clips: size[k]}
		if size[k] > 0 {
			for _, c := range concepts {
				inter := 0
				for d, in := range inTopic[k] {
					if in && have[c][d] {
						inter++
					}
				}
				iou := float64(inter) / float64(size[k]+csize[c]-inter)
				if iou > tc.IoU {
					tc.Concept, tc.IoU = c, iou
					tc.Precision = float64(inter) / float64(size[k])
					tc.Recall = float64(inter) / float64(csize[c])
				}
			}
		}
		match[k] = tc.Concept
		rep.Topics = append(rep.Topics, tc)
	}

	famNames := make([]string, 0, len(families))
	for f := range families {
		famNames = append(famNames, f)
	}
	sort.Strings(famNames)
	for _, fam := range famNames {
		fs := FamilyScore{Family: fam}
		var topics []int
		for k, c := range match {
			if strings.HasPrefix(c, fam+":") {
				topics = append(topics, k)
			}
		}
		fs.Topics = len(topics)
		var pred []int
		var value []string
		for d := range m.IDs {
			if !known[d] {
				continue
			}
			v := ""
			n := 0
			for _, c := range truth[m.IDs[d]] {
				if strings.HasPrefix(c, fam+":") && c != v {
					v = c
					n++
				}
			}
			if n != 1 || m.DocTokens[d] == 0 {
				fs.Skipped++
				continue
			}
			best, bw := -1, float32(-1)
			row := m.ThetaRow(d)
			for _, k := range topics {
				if row[k] > bw {
					best, bw = k, row[k]
				}
			}
			pred = append(pred, best)
			value = append(value, v)
			if best >= 0 && match[best] == v {
				fs.Accuracy++
			}
		}
		fs.Clips = len(pred)
		if fs.Clips > 0 {
			fs.Accuracy /= float64(fs.Clips)
			fs.NMI, fs.Purity = nmiPurity(pred, value)
		}
		rep.Families = append(rep.Families, fs)
	}
	return rep, nil
}

// nmiPurity returns the NMI (arithmetic normalization) and the purity of a
// clustering against classes.
func nmiPurity(cluster []int, class []string) (nmi, purity float64) {
	n := float64(len(cluster))
	joint := map[[2]string]int{}
	cc := map[string]int{}
	kc := map[string]int{}
	for i := range cluster {
		c := fmt.Sprint(cluster[i])
		joint[[2]string{c, class[i]}]++
		cc[c]++
		kc[class[i]]++
	}
	// Sums run in sorted key order: map order is random, and a float sum
	// in another order can differ in its last bit (reports must be
	// byte-identical for the same seed).
	h := func(m map[string]int) float64 {
		s := 0.0
		for _, k := range slices.Sorted(maps.Keys(m)) {
			p := float64(m[k]) / n
			s -= p * math.Log(p)
		}
		return s
	}
	mi := 0.0
	best := map[string]int{}
	keys := slices.SortedFunc(maps.Keys(joint), func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	for _, key := range keys {
		x := joint[key]
		p := float64(x) / n
		mi += p * math.Log(p/(float64(cc[key[0]])/n*float64(kc[key[1]])/n))
		best[key[0]] = max(best[key[0]], x)
	}
	for _, k := range slices.Sorted(maps.Keys(best)) {
		purity += float64(best[k])
	}
	purity /= n
	hs := h(cc) + h(kc)
	switch {
	case hs == 0:
		nmi = 1 // one cluster and one class: identical partitions
	default:
		nmi = max(0, 2*mi/hs)
	}
	return nmi, purity
}
