package interpret

import (
	"math"
	"testing"
)

// TestDissectByHand checks IoUs computed by hand on six clips.
func TestDissectByHand(t *testing.T) {
	// Unit 0: 3, 2, 0, 1, 0, 0. Unit 1 is dead.
	a := [][]float32{{3, 0}, {2, 0}, {0, 0}, {1, 0}, {0, 0}, {0, 0}}
	gt, err := NewGroundTruth([]string{"A", "B", "C"}, [][]string{{"A", "B", "C"}, {"B", "C"}, {"A", "C"}, {"B", "C"}, {"C"}, {}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Dissect(a, gt, DissectConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// A (clips 0, 2): unit on in its top 2 clips {0, 1}: IoU 1/3.
	// B (clips 0, 1, 3): top 3 {0, 1, 3}: IoU 1.
	// C (clips 0–4, base rate 5/6 > 0.6, not eligible): top 5 = the active
	// clips {0, 1, 3} (a tie at 0 is off): IoU 3/5.
	want := []float64{1.0 / 3, 1, 0.6}
	for j, w := range want {
		if math.Abs(d.IoU[0][j]-w) > 1e-12 {
			t.Errorf("IoU(unit 0, %s) = %g; want %g", gt.Concepts[j], d.IoU[0][j], w)
		}
	}
	if d.Eligible[2] || !d.Eligible[0] || d.BaseRate[2] != 5.0/6 {
		t.Errorf("eligibility %v, base rates %v", d.Eligible, d.BaseRate)
	}
	if d.Best[0] != 1 || d.BestIoU[0] != 1 || d.Best[1] != -1 {
		t.Errorf("best %v %v", d.Best, d.BestIoU)
	}
	for j := range 3 {
		if d.IoU[1][j] != 0 {
			t.Errorf("dead unit IoU %v", d.IoU[1])
		}
	}
	units, concepts := d.Detectors(ClipThreshold)
	if len(units) != 1 || units[0] != 0 || len(concepts) != 1 || concepts[0] != "B" {
		t.Errorf("detectors %v %v", units, concepts)
	}
	// A fixed quantile (Network Dissection's form): top ⌈0.34·6⌉ = 3 clips
	// {0, 1, 3} for every concept: IoU with A = |{0}| / |{0,1,2,3}| = 1/4.
	d, err = Dissect(a, gt, DissectConfig{Quantile: 0.34})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(d.IoU[0][0]-0.25) > 1e-12 {
		t.Errorf("fixed quantile IoU(A) = %g; want 0.25", d.IoU[0][0])
	}
	if _, err := NewGroundTruth([]string{"A"}, [][]string{{"Z"}}); err == nil {
		t.Error("unknown concept accepted")
	}
	if _, err := Dissect(a[:2], gt, DissectConfig{}); err == nil {
		t.Error("clip count mismatch accepted")
	}
}

// TestAgreement: labels that correspond to the best-IoU concept agree.
func TestAgreement(t *testing.T) {
	a := [][]float32{{3, 0, 1}, {2, 0, 0}, {0, 0, 2}, {1, 0, 0}, {0, 0, 3}, {0, 0, 0}}
	gt, _ := NewGroundTruth([]string{"A", "B"}, [][]string{{"B"}, {"B"}, {"A"}, {"B"}, {"A"}, {}})
	d, err := Dissect(a, gt, DissectConfig{})
	if err != nil {
		t.Fatal(err)
	}
	units := []Unit{{Unit: 0, Label: "B", LabelIndex: 1, Active: 3}, {Unit: 1, LabelIndex: -1}, {Unit: 2, Label: "B", LabelIndex: 1, Active: 3}}
	g, err := Agree(units, d, Identity([]string{"A", "B"}), ClipThreshold)
	if err != nil {
		t.Fatal(err)
	}
	// Unit 0 detects B (IoU 1) and is labelled B; unit 2 detects A (IoU 1:
	// top 2 = clips 4, 2) but is labelled B; unit 1 is dead.
	if g.Units != 3 || g.Alive != 2 || g.Detectors != 2 || g.Concepts != 2 || g.Agree != 1 || g.Both != 1 {
		t.Errorf("agreement %+v", g)
	}
	if !units[0].Agrees || units[2].Agrees || units[2].Concept != "A" || !units[2].Detector {
		t.Errorf("units %+v", units)
	}
	corr := TopicConcepts(func(k int) []string { return map[int][]string{1: {"A", "B"}}[k] })
	if g, _ := Agree(units, d, corr, ClipThreshold); g.Agree != 2 {
		t.Errorf("topic↔concept correspondence: %+v", g)
	}
	units[0].Label, units[0].LabelIndex = "ball", -1
	words := WordConcepts(func(w string) string { return map[string]string{"ball": "B"}[w] })
	if g, _ := Agree(units, d, words, ClipThreshold); g.Agree != 1 || !units[0].Agrees {
		t.Errorf("word correspondence: %+v", g)
	}
	if want := "2 of 3 units detect 2 concepts"; g.Line()[:len(want)] != want {
		t.Errorf("line %q", g.Line())
	}
}
