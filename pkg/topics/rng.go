package topics

import "math/bits"

// rng is a small, fast generator (wyrand) used by the sampler. Each document
// of each iteration gets its own, seeded by mix(seed, iteration, document),
// which is what makes sampling independent of the worker schedule.
type rng struct{ s uint64 }

func newRNG(seed uint64, a, b int) rng {
	return rng{s: mix64(seed ^ mix64(uint64(int64(a))*0x9E3779B97F4A7C15^mix64(uint64(int64(b))+0x632BE59BD9B4E019)))}
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) * (1.0 / (1 << 53)) }

// intn returns a uniform integer in [0, n) for n > 0 (multiply-shift; the
// bias, below n/2^64, is immaterial here).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}
