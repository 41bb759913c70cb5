//go:build !(goexperiment.simd && amd64)

package framenc

// Without GOEXPERIMENT=simd (or off amd64) the kernels are scalar Go.

func convRow(resp, img []float32, b *bankPlan, oy int, cols []float32) {
	convRowScalar(resp, img, b, oy, cols)
}

func bankEpilogue(resp []float32, b *bankPlan, oy int, mean, inv, mx, gs []float32) {
	bankEpilogueScalar(resp, b, oy, mean, inv, mx, gs)
}

func projectOut(xs []float32, m, D int, proj []float32, dimPad int, out []float32, outDim int) {
	projectScalar(xs, m, D, proj, dimPad, out, outDim)
}

func addTo(dst, src []float32) { addToScalar(dst, src) }

func meanInvStd(s, q []float32, invd float32) { meanInvStdScalar(s, q, invd) }

func colorTri(tri, frame []float32, p *kernelPlan) { colorTriScalar(tri, frame, p) }

func colorPool(tri []float32, p *kernelPlan, grid, cgs, kps []float32) {
	colorPoolScalar(tri, p, grid, cgs, kps)
}

// kernelISA names the instruction set the kernels use.
func kernelISA() string { return "scalar Go" }
