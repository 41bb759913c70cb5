package transfer

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// LabelsFromStrings makes labels from a clip → label map (e.g. a column read
// with corpus.ReadLabels); classes are the distinct labels, sorted.
func LabelsFromStrings(m map[string]string) *dataset.Labels {
	var classes []string
	for _, v := range m {
		classes = append(classes, v)
	}
	slices.Sort(classes)
	classes = slices.Compact(classes)
	l := &dataset.Labels{Classes: classes, ByClip: make(map[string]int, len(m))}
	for id, v := range m {
		l.ByClip[id], _ = slices.BinarySearch(classes, v)
	}
	return l
}

// LabelsFromCategories makes labels from integer categories (e.g. MSR-VTT's
// category, corpus.Captions.Category); classes are the distinct values,
// sorted, named by their number.
func LabelsFromCategories(m map[string]int) *dataset.Labels {
	s := make(map[string]string, len(m))
	var vals []int
	for _, v := range m {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	width := len(strconv.Itoa(max(0, slices.Max(append(vals, 0)))))
	for id, v := range m {
		// Zero-padded, so that the string order is the numeric order.
		s[id] = fmt.Sprintf("%0*d", width, v)
	}
	l := LabelsFromStrings(s)
	l.Name = "category"
	return l
}

// ReadLabelsCSV reads one label column of a CSV file (corpus.ReadLabels);
// the labels are named after the column.
func ReadLabelsCSV(path, column string) (*dataset.Labels, error) {
	m, err := corpus.ReadLabels(path, column)
	if err != nil {
		return nil, err
	}
	l := LabelsFromStrings(m)
	l.Name = column
	return l, nil
}

// Task is a classification task over clips: training and test clips with
// their classes.
type Task struct {
	Classes []string
	// TrainIDs and TestIDs are the clips; TrainY and TestY their classes.
	TrainIDs, TestIDs []string
	TrainY, TestY     []int
}

// NewTask keeps the clips of trainIDs and testIDs that have a label. It
// fails if either side is left empty, if a clip is in both, or if a
// training class has no clip.
func NewTask(l *dataset.Labels, trainIDs, testIDs []string) (*Task, error) {
	if l == nil || len(l.Classes) < 2 {
		return nil, fmt.Errorf("transfer task: need at least 2 classes")
	}
	t := &Task{Classes: l.Classes}
	train := map[string]bool{}
	for _, id := range trainIDs {
		if y, ok := l.ByClip[id]; ok {
			if y < 0 || y >= len(l.Classes) {
				return nil, fmt.Errorf("transfer task: clip %q has class %d; expected 0..%d", id, y, len(l.Classes)-1)
			}
			t.TrainIDs, t.TrainY = append(t.TrainIDs, id), append(t.TrainY, y)
			train[id] = true
		}
	}
	for _, id := range testIDs {
		if train[id] {
			return nil, fmt.Errorf("transfer task: clip %q is both a training and a test clip", id)
		}
		if y, ok := l.ByClip[id]; ok {
			if y < 0 || y >= len(l.Classes) {
				return nil, fmt.Errorf("transfer task: clip %q has class %d; expected 0..%d", id, y, len(l.Classes)-1)
			}
			t.TestIDs, t.TestY = append(t.TestIDs, id), append(t.TestY, y)
		}
	}
	if len(t.TrainIDs) == 0 || len(t.TestIDs) == 0 {
		return nil, fmt.Errorf("transfer task: %d labelled training clips and %d labelled test clips; need both", len(t.TrainIDs), len(t.TestIDs))
	}
	counts := t.ClassCounts()
	for k, n := range counts {
		if n == 0 {
			return nil, fmt.Errorf("transfer task: class %q has no training clip", t.Classes[k])
		}
	}
	return t, nil
}

// ClassCounts returns the number of training clips of each class.
func (t *Task) ClassCounts() []int {
	n := make([]int, len(t.Classes))
	for _, y := range t.TrainY {
		n[y]++
	}
	return n
}

// AllIDs returns the training then the test clip ids, the rows that feature
// extractors are asked for.
func (t *Task) AllIDs() []string {
	return append(slices.Clone(t.TrainIDs), t.TestIDs...)
}
