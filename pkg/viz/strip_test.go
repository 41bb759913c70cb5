package viz

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestFrameStrip(t *testing.T) {
	// Two 2×2 frames: the first all red, the second all blue.
	T, H, W := 2, 2, 2
	f := make([]float32, T*H*W*3)
	for i := 0; i < H*W; i++ {
		f[i*3] = 1
		f[(H*W+i)*3+2] = 1
	}
	img, err := FrameStrip(f, T, H, W, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 2*6+2 || b.Dy() != 6 {
		t.Fatalf("bounds %v, want 14×6", b)
	}
	if c := img.RGBAAt(0, 0); c.R != 255 || c.B != 0 {
		t.Errorf("first frame pixel %v, want red", c)
	}
	if c := img.RGBAAt(13, 5); c.B != 255 || c.R != 0 {
		t.Errorf("second frame pixel %v, want blue", c)
	}
	if c := img.RGBAAt(6, 0); c.R != 128 {
		t.Errorf("gap pixel %v, want grey", c)
	}
	if img2, _ := FrameStrip(f, T, H, W, 1, 2); img2.Bounds().Dx() != 2 {
		t.Errorf("step 2 keeps one frame, got width %d", img2.Bounds().Dx())
	}
	if _, err := FrameStrip(f[:5], T, H, W, 1, 1); err == nil {
		t.Error("wrong length accepted")
	}
	p, err := PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(p)); err != nil {
		t.Fatal(err)
	}
	if tag := ImgTag(p, `<script>"x"</script>`); !strings.Contains(tag, "&lt;script&gt;") || strings.Contains(tag, "<script>") {
		t.Errorf("alt not escaped: %s", tag[len(tag)-80:])
	}
}
