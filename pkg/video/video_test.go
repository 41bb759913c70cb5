package video

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testTools finds ffmpeg; without it the test is skipped here and fails in
// CI (which installs it).
func testTools(t *testing.T) Tools {
	t.Helper()
	tools, err := FindTools()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have ffmpeg (scripts/install-ffmpeg.sh): %v", err)
		}
		t.Skipf("no ffmpeg here: %v", err)
	}
	return tools
}

// numbered returns T frames of h×w whose every pixel encodes its frame
// index, plus a pattern.
func numbered(T, h, w int) []byte {
	b := make([]byte, T*h*w*3)
	for f := range T {
		for p := range h * w {
			o := (f*h*w + p) * 3
			b[o], b[o+1], b[o+2] = byte(f), byte(p*7), byte(255-f)
		}
	}
	return b
}

func TestLosslessRoundTrip(t *testing.T) {
	tools := testTools(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "clip.mkv")
	in := numbered(12, 32, 32)
	if err := tools.Write(ctx, path, in, 12, 32, 32, WriteConfig{Codec: CodecFFV1}); err != nil {
		t.Fatal(err)
	}
	c, err := tools.Decode(ctx, path, DecodeConfig{Frames: 12, Size: 32})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Frames, in) {
		t.Error("FFV1 → Decode did not give back the written frames")
	}
	if c.Decoded != 12 || c.Info.Codec != "ffv1" || c.Info.Width != 32 || c.Info.FPS != 12 || c.Info.Duration != 1 {
		t.Errorf("decoded %d frames, info %+v; want 12 frames, ffv1 32x32 at 12 fps, 1 s", c.Decoded, c.Info)
	}
}

func TestSamplingEvenAndLong(t *testing.T) {
	tools := testTools(t)
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		frames int // in the file
		want   []int
	}{
		// (2i+1)·F/(2T) for T = 4.
		{"30 frames", 30, []int{3, 11, 18, 26}},
		// Fewer frames than asked: repeated.
		{"2 frames", 2, []int{0, 0, 1, 1}},
		// More than MaxKept·T = 256: every 2nd frame is kept (150 of 300),
		// frames 2·⌊(2i+1)·150/8⌋, still spread over the clip.
		{"300 frames", 300, []int{36, 112, 186, 262}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".mkv")
			if err := tools.Write(ctx, path, numbered(tc.frames, 8, 8), tc.frames, 8, 8, WriteConfig{Codec: CodecFFV1, FPS: 30}); err != nil {
				t.Fatal(err)
			}
			c, err := tools.Decode(ctx, path, DecodeConfig{Frames: 4, Size: 8})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i := range 4 {
				got = append(got, int(c.Frames[i*8*8*3]))
			}
			for i := range got {
				// The index is stored in one byte: compare mod 256.
				if got[i] != tc.want[i]%256 {
					t.Fatalf("sampled frames %v; want %v (decoded %d)", got, tc.want, c.Decoded)
				}
			}
			if c.Decoded != tc.frames {
				t.Errorf("decoded %d frames; want %d", c.Decoded, tc.frames)
			}
		})
	}
}

func TestH264CloseAndResized(t *testing.T) {
	tools := testTools(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "clip.mp4")
	// Smooth frames: blocks of colour H.264 keeps well.
	in := make([]byte, 12*32*32*3)
	for i := range in {
		p := i / 3 % (32 * 32)
		in[i] = byte(60 + 40*(i%3) + 80*((p/32)/16) + 20*((p%32)/16))
	}
	if err := tools.Write(ctx, path, in, 12, 32, 32, WriteConfig{Codec: CodecH264, Scale: 4}); err != nil {
		t.Fatal(err)
	}
	c, err := tools.Decode(ctx, path, DecodeConfig{Frames: 12, Size: 32})
	if err != nil {
		t.Fatal(err)
	}
	if c.Info.Width != 128 || c.Info.Codec != "h264" {
		t.Errorf("info %+v; want a 128-pixel h264 stream", c.Info)
	}
	var sum float64
	for i := range in {
		d := float64(in[i]) - float64(c.Frames[i])
		sum += d * d
	}
	if rmse := sum / float64(len(in)); rmse > 16 {
		t.Errorf("H.264 round trip mean squared error %.1f; want ≤ 16 (a 4-level RMS error)", rmse)
	}
}

func TestBadVideos(t *testing.T) {
	tools := testTools(t)
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.mp4")
	if err := tools.Write(ctx, good, numbered(12, 16, 16), 12, 16, 16, WriteConfig{Codec: CodecH264}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	audio := filepath.Join(dir, "audio.wav")
	if out, err := exec.Command(tools.FFmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", audio).CombinedOutput(); err != nil {
		t.Fatalf("making an audio file: %v %s", err, out)
	}
	for _, tc := range []struct {
		path string
		want string
	}{
		{write("empty.mp4", nil), "empty.mp4: ffprobe failed"},
		{write("truncated.mp4", data[:len(data)/3]), "truncated.mp4"},
		{write("text.avi", []byte("not a video at all\n")), "text.avi: ffprobe failed"},
		{audio, "no video stream"},
		{filepath.Join(dir, "missing.mp4"), "missing.mp4"},
	} {
		_, err := tools.Decode(ctx, tc.path, DecodeConfig{Frames: 12, Size: 16})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%s) = %v; want an error with %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	if _, err := tools.Decode(ctx, good, DecodeConfig{Frames: 0, Size: 16}); err == nil || !strings.Contains(err.Error(), "frames per clip 0") {
		t.Errorf("0 frames per clip: %v", err)
	}
}

func TestFindToolsNamesTheInstall(t *testing.T) {
	t.Setenv(EnvFFmpeg, filepath.Join(t.TempDir(), "no-ffmpeg-here"))
	_, err := FindTools()
	if !errors.Is(err, ErrNoFFmpeg) || !strings.Contains(err.Error(), "apt-get install ffmpeg") {
		t.Errorf("FindTools without ffmpeg = %v; want ErrNoFFmpeg naming the install command", err)
	}
}

func TestParseProbe(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{`{"streams":[{"codec_type":"video","codec_name":"h264","width":320,"height":240,"avg_frame_rate":"30000/1001"}],"format":{"format_name":"avi","duration":"10.0"}}`, ""},
		{`{"streams":[],"format":{"format_name":"wav"}}`, "no video stream"},
		{`{"streams":[{"codec_type":"video","width":0,"height":240}]}`, "size 0x240"},
		{`{"streams":`, "reading ffprobe's description"},
	} {
		info, err := ParseProbe("x.avi", []byte(tc.in))
		if tc.want == "" {
			if err != nil || info.Width != 320 || info.FPS < 29.9 || info.FPS > 30 || info.Duration != 10 {
				t.Errorf("ParseProbe(%s) = %+v, %v", tc.in, info, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "x.avi") {
			t.Errorf("ParseProbe(%s) = %v; want an error naming x.avi with %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseProbe(f *testing.F) {
	f.Add([]byte(`{"streams":[{"codec_type":"video","codec_name":"h264","width":320,"height":240,"r_frame_rate":"30/1"}],"format":{"duration":"1"}}`))
	f.Add([]byte(`{"streams":[{"codec_type":"audio"}]}`))
	f.Add([]byte(`{"format":{"duration":"1e400"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseProbe("f", data)
		if err != nil {
			return
		}
		if info.Width <= 0 || info.Height <= 0 || info.FPS < 0 || info.Duration < 0 {
			t.Fatalf("accepted %+v", info)
		}
	})
}

func TestKeepFramesCutShort(t *testing.T) {
	_, n, err := keepFrames(bytes.NewReader(make([]byte, 10)), 4, 8)
	if err == nil || n != 2 || !strings.Contains(err.Error(), "cut short after 2 frames") {
		t.Errorf("keepFrames of 2.5 frames: n %d, %v", n, err)
	}
}

// ffmpegInfo is what ffmpeg 5.1 writes about an MP4 input at -v info.
const ffmpegInfo = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 't.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:01:10.50, start: 0.000000, bitrate: 295 kb/s
  Stream #0:0[0x1](und): Audio: aac (LC), 44100 Hz, stereo
  Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 320x240 [SAR 1:1 DAR 4:3], 292 kb/s, 29.97 fps, 30 tbr, 15360 tbn (default)
Stream mapping:
  Stream #0:1 -> #0:0 (h264 (native) -> rawvideo (native))
Output #0, rawvideo, to 'pipe:':
  Stream #0:0(und): Video: rawvideo (RGB[24] / 0x18424752), rgb24, 32x32, 30 fps
frame=  300 fps=0.0 q=-0.0 Lsize=     900kB time=00:00:10.00
`

func TestParseInfo(t *testing.T) {
	got := ParseInfo(ffmpegInfo)
	want := Info{Format: "mov,mp4,m4a,3gp,3g2,mj2", Codec: "h264", Width: 320, Height: 240, FPS: 29.97, Duration: 70.5}
	if got != want {
		t.Errorf("ParseInfo = %+v; want %+v", got, want)
	}
	if got := ParseInfo("garbage\nDuration: 1:2:3\n"); got != (Info{}) {
		t.Errorf("ParseInfo of text outside an input = %+v; want nothing", got)
	}
	if got := lastMessages(ffmpegInfo+"[h264 @ 0x1] error while decoding MB 3 4\nt.mp4: Invalid data found when processing input\n", nil); got != "[h264 @ 0x1] error while decoding MB 3 4; t.mp4: Invalid data found when processing input" {
		t.Errorf("lastMessages = %q", got)
	}
}

func FuzzParseInfo(f *testing.F) {
	f.Add(ffmpegInfo)
	f.Add("Input #0, avi, from 'x':\n  Duration: N/A\n  Stream #0:0: Video: , 0x0, -1 fps\n")
	f.Fuzz(func(t *testing.T, text string) {
		info := ParseInfo(text)
		if info.Width < 0 || info.Height < 0 || info.FPS < 0 || info.Duration < 0 || math.IsNaN(info.FPS) {
			t.Fatalf("ParseInfo gave %+v", info)
		}
		_ = lastMessages(text, nil)
	})
}
