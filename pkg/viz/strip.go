// Package viz draws the pictures neurotopics shows in reports and notebooks:
// frame strips of clips, as images, PNG bytes or HTML <img> tags. It knows
// nothing about notebooks or the report; both call it.
package viz

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
)

// FrameStrip lays out the T frames of a clip [T,H,W,3] (values in [0,1],
// row-major) left to right, each magnified scale times (nearest neighbour),
// with a gap-pixel grey separator. step > 1 keeps every step-th frame.
func FrameStrip(frames []float32, T, H, W, scale, step int) (*image.RGBA, error) {
	if T <= 0 || H <= 0 || W <= 0 || len(frames) != T*H*W*3 {
		return nil, fmt.Errorf("frame strip: %d values do not make [T=%d,H=%d,W=%d,3]", len(frames), T, H, W)
	}
	if scale < 1 {
		scale = 1
	}
	if step < 1 {
		step = 1
	}
	const gap = 2
	n := (T + step - 1) / step
	img := image.NewRGBA(image.Rect(0, 0, n*(W*scale+gap)-gap, H*scale))
	sep := color.RGBA{128, 128, 128, 255}
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			img.SetRGBA(x, y, sep)
		}
	}
	to8 := func(v float32) uint8 {
		switch {
		case v <= 0 || v != v:
			return 0
		case v >= 1:
			return 255
		}
		return uint8(v*255 + 0.5)
	}
	for k := 0; k < n; k++ {
		t := k * step
		x0 := k * (W*scale + gap)
		for y := 0; y < H; y++ {
			for x := 0; x < W; x++ {
				o := ((t*H+y)*W + x) * 3
				c := color.RGBA{to8(frames[o]), to8(frames[o+1]), to8(frames[o+2]), 255}
				for dy := 0; dy < scale; dy++ {
					for dx := 0; dx < scale; dx++ {
						img.SetRGBA(x0+x*scale+dx, y*scale+dy, c)
					}
				}
			}
		}
	}
	return img, nil
}

// PNG encodes img as PNG bytes.
func PNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encoding PNG: %w", err)
	}
	return b.Bytes(), nil
}

// ImgTag returns an HTML <img> element with the PNG embedded as a data URL;
// alt is HTML-escaped.
func ImgTag(pngBytes []byte, alt string) string {
	return fmt.Sprintf(`<img src="data:image/png;base64,%s" alt="%s" style="image-rendering: pixelated">`,
		base64.StdEncoding.EncodeToString(pngBytes), html.EscapeString(alt))
}
