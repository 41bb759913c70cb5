package nbdata

import (
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/nbui"
	"github.com/neurotopics/neurotopics/pkg/videodata"
)

// TestVideoCommand checks that the command Videos returns carries the
// setting's pipeline flags (so that it runs the notebook's run: the same
// stage hashes and metrics.json) and the video source, and none of the
// synthetic corpus' sizes.
func TestVideoCommand(t *testing.T) {
	src := videodata.Source{Videos: "/data/msvd/YouTubeClips", Captions: []string{"/data/msvd/train.tsv", "/data/msvd/test.tsv"}, Mapping: "/data/msvd/youtube_mapping.txt"}
	got := videoCommand(nbui.QuickSetting(), src, "/data/gt.json")
	want := `neurotopics run --videos "/data/msvd/YouTubeClips" --captions "/data/msvd/train.tsv,/data/msvd/test.tsv" --mapping "/data/msvd/youtube_mapping.txt" --ground-truth "/data/gt.json" --frame-fit-frames "200" --quick --steps "30" --topics-k "12" --transfer-seeds "1"`
	if got != want {
		t.Errorf("quick setting:\n got %s\nwant %s", got, want)
	}
	full := videoCommand(nbui.FullSetting(), videodata.Source{Videos: "v", Captions: []string{"c.json"}}, "")
	if want := `neurotopics run --videos "v" --captions "c.json" --frame-fit-frames "3000"`; full != want {
		t.Errorf("full setting:\n got %s\nwant %s", full, want)
	}
	if strings.Contains(got+full, "synth-") {
		t.Errorf("a synthetic corpus size in %q or %q", got, full)
	}
}
