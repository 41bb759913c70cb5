package synth

import (
	"errors"
	"fmt"
	"math"
)

// Config holds every hyperparameter of the synthetic corpus. The zero value is
// not valid: start from DefaultConfig.
type Config struct {
	// Seed determines everything generated. Default 2017.
	Seed uint64 `json:"seed"`
	// Frames is the number of frames T of a clip (4–256). Default 12.
	Frames int `json:"frames"`
	// Size is the height and width H = W of a frame in pixels (16–256).
	// Default 32: small objects are then ≈10 px across, large ≈15 px.
	Size int `json:"size"`
	// Train, Val and Test are the numbers of clips of each split.
	// Defaults 5000, 500, 1000.
	Train int `json:"train"`
	Val   int `json:"val"`
	Test  int `json:"test"`
	// CaptionsPerClip is the number of captions of each clip (≥ 1). Default 10.
	CaptionsPerClip int `json:"captions_per_clip"`
	// NoiseRate is the probability that a caption is noisy: off-topic (40%
	// of noisy captions) or wrong in one concept family (60%). Default 0.05.
	NoiseRate float64 `json:"noise_rate"`
	// TwoObjectRate is the probability that a clip has two objects. Default 0.3.
	TwoObjectRate float64 `json:"two_object_rate"`
	// PixelNoise is the amplitude of the per-pixel, per-channel noise added to
	// the frames (triangular on [-PixelNoise, PixelNoise], 0–0.5). Default
	// 0.05 (standard deviation ≈ 5/255).
	PixelNoise float64 `json:"pixel_noise"`
	// FrameBits, when 8, rounds every rendered value to 8 bits
	// (round(255·x)/255), as a video file stores it: the frames of the
	// corpus' lossless video export are then exactly the corpus'. Default 0
	// (float32 values).
	FrameBits int `json:"frame_bits,omitempty"`
}

// DefaultConfig returns the default corpus: seed 2017, 12 frames of 32×32,
// 5000/500/1000 clips, 10 captions a clip, 5% noisy captions, 30% two-object
// clips, pixel noise 0.05.
func DefaultConfig() Config {
	return Config{
		Seed:            2017,
		Frames:          12,
		Size:            32,
		Train:           5000,
		Val:             500,
		Test:            1000,
		CaptionsPerClip: 10,
		NoiseRate:       0.05,
		TwoObjectRate:   0.3,
		PixelNoise:      0.05,
	}
}

// Limits Validate enforces.
const (
	MinSize, MaxSize     = 16, 256
	MinFrames, MaxFrames = 4, 256
	MaxClips             = 1_000_000
	MaxCaptionsPerClip   = 1000
)

// Validate reports every problem of c at once, each naming the field, the
// value found and what is allowed.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Size < MinSize || c.Size > MaxSize {
		bad("synth config: Size = %d; expected %d..%d pixels (shapes are not recognisable below %d px)", c.Size, MinSize, MaxSize, MinSize)
	}
	if c.Frames < MinFrames || c.Frames > MaxFrames {
		bad("synth config: Frames = %d; expected %d..%d (motions need at least %d frames to be seen)", c.Frames, MinFrames, MaxFrames, MinFrames)
	}
	for _, s := range []struct {
		name string
		n    int
	}{{"Train", c.Train}, {"Val", c.Val}, {"Test", c.Test}} {
		if s.n < 0 {
			bad("synth config: %s = %d; expected a clip count ≥ 0", s.name, s.n)
		}
	}
	if c.Train >= 0 && c.Val >= 0 && c.Test >= 0 {
		switch total := c.Train + c.Val + c.Test; {
		case total == 0:
			bad("synth config: Train + Val + Test = 0; expected at least one clip")
		case total > MaxClips:
			bad("synth config: Train + Val + Test = %d; expected at most %d clips", total, MaxClips)
		}
	}
	if c.CaptionsPerClip < 1 || c.CaptionsPerClip > MaxCaptionsPerClip {
		bad("synth config: CaptionsPerClip = %d; expected 1..%d", c.CaptionsPerClip, MaxCaptionsPerClip)
	}
	checkRate := func(name string, v, hi float64) {
		if math.IsNaN(v) || v < 0 || v > hi {
			bad("synth config: %s = %v; expected a number in [0, %v]", name, v, hi)
		}
	}
	checkRate("NoiseRate", c.NoiseRate, 1)
	checkRate("TwoObjectRate", c.TwoObjectRate, 1)
	checkRate("PixelNoise", c.PixelNoise, 0.5)
	if c.FrameBits != 0 && c.FrameBits != 8 {
		bad("synth config: FrameBits = %d; expected 0 (float frames) or 8 (rounded as a video stores them)", c.FrameBits)
	}
	return errors.Join(errs...)
}

// NumClips returns Train + Val + Test.
func (c Config) NumClips() int { return c.Train + c.Val + c.Test }

// Split names, in corpus order.
const (
	SplitTrain = "train"
	SplitVal   = "val"
	SplitTest  = "test"
)

// Splits lists the split names in corpus order.
var Splits = []string{SplitTrain, SplitVal, SplitTest}

// splitSize returns the number of clips of split.
func (c Config) splitSize(split string) int {
	switch split {
	case SplitTrain:
		return c.Train
	case SplitVal:
		return c.Val
	case SplitTest:
		return c.Test
	}
	return 0
}
