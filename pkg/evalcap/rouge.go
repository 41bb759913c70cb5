package evalcap

// rougeBeta is the β of pycocoevalcap's ROUGE-L F-measure.
const rougeBeta = 1.2

// lcsLen returns the length of the longest common subsequence of a and b.
func lcsLen(a, b []int32) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for _, x := range a {
		for j, y := range b {
			if x == y {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// rougeLClip is ROUGE-L of one candidate against its references: maximum
// precision and maximum recall over references, combined with β = 1.2.
func rougeLClip(c *clip) float64 {
	if len(c.cand.ids) == 0 {
		return 0
	}
	precMax, recMax := 0.0, 0.0
	for _, r := range c.refs {
		l := float64(lcsLen(r.ids, c.cand.ids))
		precMax = max(precMax, l/float64(len(c.cand.ids)))
		recMax = max(recMax, l/float64(len(r.ids)))
	}
	if precMax == 0 || recMax == 0 {
		return 0
	}
	b2 := rougeBeta * rougeBeta
	return (1 + b2) * precMax * recMax / (recMax + b2*precMax)
}

// rougeL returns the mean ROUGE-L and the per-clip values.
func (ds *dataset) rougeL() (float64, []float64) {
	per := make([]float64, len(ds.clips))
	for i := range ds.clips {
		per[i] = rougeLClip(&ds.clips[i])
	}
	return mean(per), per
}
