package captioner

import "testing"

// TestSemanticBias checks that semantic_bias sets the initial bias of the
// semantic layer only: a large bias makes every unit of an untrained model
// active on every clip, and the units still differ (the weights are not
// constant).
func TestSemanticBias(t *testing.T) {
	d := tinyData(6, 1, 8, 5, 3)
	active := func(settings string) (frac float64, distinct bool) {
		m, _ := trainTiny(t, d, "train_steps=0;"+settings, "")
		a, err := m.EncodeToSemantic(d.Features, d.SplitIDs("train"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, row := range a {
			for i, v := range row {
				if v > 0 {
					n++
				}
				if v != row[0] && i > 0 {
					distinct = true
				}
			}
		}
		return float64(n) / float64(len(a)*len(a[0])), distinct
	}
	zero, _ := active("semantic_bias=0")
	big, distinct := active("semantic_bias=100")
	if big != 1 || !distinct {
		t.Errorf("semantic_bias=100: %.2f of the units active, distinct values %v; want all active, distinct", big, distinct)
	}
	if zero == 1 {
		t.Errorf("semantic_bias=0: every unit active on every clip (%.2f); the bias should start at 0", zero)
	}
}
