package revise_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/revise"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

// oldFindCase and oldJudge are FindCase and Judge as they were on
// *synth.Clip, before pkg/revise read a dataset.GroundTruth: the reference
// the generic code must reproduce on the synthetic corpus.
func oldFindCase(clip *synth.Clip, caption string, families []string) (c revise.Case, ok bool) {
	named := synth.ConceptsInCaption(caption)
	present := clip.Concepts()
	for _, fam := range families {
		prefix := fam + ":"
		var wrong string
		for _, n := range named {
			if strings.HasPrefix(n, prefix) && !slices.Contains(present, n) {
				wrong = n
				break
			}
		}
		if wrong == "" {
			continue
		}
		right := ""
		for _, p := range present {
			if strings.HasPrefix(p, prefix) && !slices.Contains(named, p) {
				right = p
				break
			}
		}
		if right == "" {
			for _, p := range present {
				if strings.HasPrefix(p, prefix) {
					right = p
					break
				}
			}
		}
		if right == "" {
			continue
		}
		return revise.Case{Clip: clip.ID, Family: fam, Wrong: wrong, Right: right, Before: caption}, true
	}
	return revise.Case{}, false
}

func oldJudge(clip *synth.Clip, c revise.Case, after string) revise.Outcome {
	before := synth.ConceptsInCaption(c.Before)
	now := synth.ConceptsInCaption(after)
	o := revise.Outcome{Changed: after != c.Before, NamesRight: slices.Contains(now, c.Right), DropsWrong: !slices.Contains(now, c.Wrong)}
	o.Fixed = o.NamesRight && o.DropsWrong
	type state struct{ named, wrong bool }
	fams := func(cs []string) map[string]state {
		m := map[string]state{}
		for _, n := range cs {
			fam, _, _ := strings.Cut(n, ":")
			st := m[fam]
			st.named = true
			st.wrong = st.wrong || !clip.HasConcept(n)
			m[fam] = st
		}
		return m
	}
	fb, fa := fams(before), fams(now)
	for fam, st := range fa {
		if fam == c.Family || !st.wrong {
			continue
		}
		if b := fb[fam]; b.named && !b.wrong {
			o.Damaged = true
		}
	}
	for _, n := range now {
		if !strings.HasPrefix(n, c.Family+":") && !clip.HasConcept(n) && !slices.Contains(before, n) {
			o.NewWrong = true
		}
	}
	return o
}

// TestSyntheticCasesAsBefore checks that FindCase and Judge on the
// synthetic corpus' ground truth (synthexp.GroundTruth) find the same cases
// and give the same outcomes as the code on *synth.Clip did, over the
// clips' own (partly noisy) captions and other clips' captions.
func TestSyntheticCasesAsBefore(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Train, cfg.Val, cfg.Test, cfg.NoiseRate = 60, 10, 10, 0.3
	c, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gt := synthexp.GroundTruth(c)
	if got := revise.MeasureFamilies(gt); !slices.Equal(got, revise.DefaultFamilies) {
		t.Fatalf("families %v; want %v", got, revise.DefaultFamilies)
	}
	allFams := gt.FamilyNames()
	n, cases, judged := len(c.Clips), 0, 0
	for i := range c.Clips {
		clip := &c.Clips[i]
		var captions []string
		for k := range 3 {
			captions = append(captions, c.Clips[(i+k)%n].Captions...)
		}
		for _, fams := range [][]string{revise.DefaultFamilies, allFams} {
			for _, caption := range captions {
				want, wok := oldFindCase(clip, caption, fams)
				got, gok := revise.FindCase(gt, clip.ID, caption, fams)
				if wok != gok || !equalCase(got, want) {
					t.Fatalf("clip %s, %q, families %v: case %+v (%v); want %+v (%v)", clip.ID, caption, fams, got, gok, want, wok)
				}
				if !gok {
					continue
				}
				cases++
				for _, after := range captions[:8] {
					judged++
					if o, w := revise.Judge(gt, got, after), oldJudge(clip, want, after); o != w {
						t.Fatalf("clip %s, case %+v, after %q: %+v; want %+v", clip.ID, got, after, o, w)
					}
				}
			}
		}
	}
	t.Logf("%d cases, %d judgements", cases, judged)
	if cases < 100 || judged < 1000 {
		t.Errorf("only %d cases and %d judgements compared", cases, judged)
	}
}

func equalCase(a, b revise.Case) bool {
	return a.Clip == b.Clip && a.Family == b.Family && a.Wrong == b.Wrong && a.Right == b.Right && a.Before == b.Before
}
