package framenc

import "math"

// The colour pathway of the kernels (kernel.go).

// colors computes the colour pathway of one frame: the colour grid and the
// keypoints, into raw.
func (p *kernelPlan) colors(wk *kernelWork, frame, raw []float32) {
	tri := wk.tri[:p.H*p.W*p.kcp]
	colorTri(tri, frame, p)
	colorPool(tri, p, raw[p.colorOff:p.colorOff+p.cgrid*p.cgrid*p.kc], wk.cgs, wk.kps)
	if p.keypoints {
		kc, kp := p.kc, raw[p.keyOff:p.keyOff+3*p.kc]
		for k := range kc {
			mass, mxk, myk, sp := wk.kps[k], wk.kps[p.kcp+k], wk.kps[2*p.kcp+k], wk.kps[3*p.kcp+k]
			safe := mass + 1e-6
			spread := float32(math.Sqrt(float64(sp/safe + 1e-6)))
			conf := mass / (mass + keypointMass)
			kp[k], kp[kc+k], kp[2*kc+k] = mxk*conf, myk*conf, spread*conf
		}
	}
}

// colorTriScalar computes the colour responses tri [H·W, kcp] of a frame:
// each pixel's distances z to the colour centres (as graph.go: ‖x‖² − 2x·c +
// ‖c‖²), triangle-encoded, max(mean(z) − z, 0).
func colorTriScalar(tri, frame []float32, p *kernelPlan) {
	kc, kcp := p.kc, p.kcp
	invK := float32(1 / float64(kc))
	for i := range p.H * p.W {
		r, g, b := frame[3*i], frame[3*i+1], frame[3*i+2]
		x2 := r*r + g*g + b*b
		t := tri[i*kcp : i*kcp+kc]
		var zs float32
		for k := range t {
			c := p.centers[3*k : 3*k+3]
			d2 := x2 - 2*(r*c[0]+g*c[1]+b*c[2]) + p.cc[k]
			zk := float32(math.Sqrt(float64(max(d2, 0) + 1e-12)))
			t[k] = zk
			zs += zk
		}
		avg := zs * invK
		for k, zk := range t {
			t[k] = max(avg-zk, 0)
		}
	}
}

// colorPoolScalar writes the colour grid (the mean response over each cell)
// into grid [cgrid², kc] and, with keypoints, per colour the response mass,
// the weighted mean x and y and the weighted squared distance to that mean
// into kps [4, kcp]. cgs is scratch for [cgrid², kcp] sums.
func colorPoolScalar(tri []float32, p *kernelPlan, grid, cgs, kps []float32) {
	kc, kcp, H, W, cg := p.kc, p.kcp, p.H, p.W, p.cgrid
	clear(cgs)
	for y := range H {
		for x := range W {
			g := cgs[(p.ccellY[y]*cg+p.ccellX[x])*kcp:]
			for k, v := range tri[(y*W+x)*kcp : (y*W+x)*kcp+kc] {
				g[k] += v
			}
		}
	}
	for cell, n := range p.ccellN {
		inv := float32(1 / float64(n))
		for k := range kc {
			grid[cell*kc+k] = cgs[cell*kcp+k] * inv
		}
	}
	if !p.keypoints {
		return
	}
	for k := range kc {
		var mass, sx, sy float32
		for y := range H {
			for x := range W {
				r := tri[(y*W+x)*kcp+k]
				mass += r
				sx += r * p.xs[x]
				sy += r * p.ys[y]
			}
		}
		safe := mass + 1e-6
		mxk, myk := sx/safe, sy/safe
		var sp float32
		for y := range H {
			dy := p.ys[y] - myk
			for x := range W {
				dx := p.xs[x] - mxk
				sp += tri[(y*W+x)*kcp+k] * (dx*dx + dy*dy)
			}
		}
		kps[k], kps[kcp+k], kps[2*kcp+k], kps[3*kcp+k] = mass, mxk, myk, sp
	}
}
