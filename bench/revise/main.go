// Command revise pools the measure.json files that bench/revise/sweep.sh
// writes (one per split, seed, strength and units per topic, in folders
// named <split>-s<seed>-st<strength>-mu<units>, or st"up"<s1_s2_…> for the
// stepwise protocol of `revise measure --steps s1,s2,…`) over seeds, weighting
// each seed by its cases, and prints two Markdown tables: the unit rule
// against random units of the same count (any active units, and active units
// outside the rule's), and steering against random directions.
//
//	go run ./bench/revise out/revise-sweep
package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/revise"
)

// key is one setting of the sweep.
type key struct {
	split    string
	strength string // "0.5", or "up0.2_0.3_0.5" for stepwise
	units    int
}

// order sorts strengths: fixed ones by value, then stepwise ones by their
// highest step.
func (k key) order() (stepwise bool, v float64) {
	s, stepwise := strings.CutPrefix(k.strength, "up")
	steps := strings.Split(s, "_")
	v, _ = strconv.ParseFloat(steps[len(steps)-1], 64)
	return stepwise, v
}

// label is the strength column of a row; mean is the pooled mean strength
// the stepwise protocol stopped at.
func (k key) label(mean float64) string {
	s, stepwise := strings.CutPrefix(k.strength, "up")
	if !stepwise {
		return s
	}
	steps := strings.Split(s, "_")
	return fmt.Sprintf("stepwise %s…%s (stops at %.2f)", steps[0], steps[len(steps)-1], mean)
}

func compareKeys(a, b key) int {
	sa, va := a.order()
	sb, vb := b.order()
	if sa != sb {
		if sa {
			return 1
		}
		return -1
	}
	return cmp.Compare(va, vb)
}

// pooled sums the case-weighted rates of one setting over seeds.
type pooled struct {
	cases                               float64
	fix, damage, randFix, units         float64
	randOtherFix, strength, steerStr    float64
	steerFix, steerDamage, randSteerFix float64
}

func (p pooled) rate(v float64) float64 { return v / p.cases }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/revise SWEEP_DIR (the OUT_DIR of bench/revise/sweep.sh)")
		os.Exit(2)
	}
	rows, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	printTables(rows)
}

// load reads every <split>-s<seed>-st<strength>-mu<units>/measure.json of dir.
func load(dir string) (map[key]*pooled, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "measure.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no <split>-s<seed>-st<strength>-mu<units>/measure.json under %s: run bench/revise/sweep.sh first", dir)
	}
	rows := map[key]*pooled{}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f))
		parts := strings.Split(name, "-")
		if len(parts) != 4 || !strings.HasPrefix(parts[2], "st") || !strings.HasPrefix(parts[3], "mu") {
			continue
		}
		st := parts[2][2:]
		var err1 error
		for _, v := range strings.Split(strings.TrimPrefix(st, "up"), "_") {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				err1 = err
			}
		}
		mu, err2 := strconv.Atoi(parts[3][2:])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: folder name %q: expected <split>-s<seed>-st<strength or up<s1_s2_…>>-mu<units>", f, name)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m revise.Measurement
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		k := key{parts[0], st, mu}
		p := rows[k]
		if p == nil {
			p = &pooled{}
			rows[k] = p
		}
		a, c := m.All, float64(m.All.Cases)
		p.cases += c
		p.fix += a.FixRate * c
		p.damage += a.DamageRate * c
		p.randFix += a.RandomFixRate * c
		p.randOtherFix += a.RandomOtherFixRate * c
		p.units += a.MeanUnits * c
		p.steerFix += a.SteerFixRate * c
		p.steerDamage += a.SteerDamageRate * c
		p.randSteerFix += a.RandomSteerFixRate * c
		p.strength += a.MeanStrength * c
		p.steerStr += a.SteerMeanStrength * c
	}
	return rows, nil
}

func printTables(rows map[key]*pooled) {
	var keys []key
	for k := range rows {
		if k.split == "test" && rows[key{"val", k.strength, k.units}] != nil {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		// every labelled unit (0) first, then fewer units per topic.
		ua, ub := a.units, b.units
		if ua == 0 {
			ua = 1 << 30
		}
		if ub == 0 {
			ub = 1 << 30
		}
		if ua != ub {
			return ub - ua
		}
		return compareKeys(a, b)
	})
	t, v := rows[keys[0]], rows[key{"val", keys[0].strength, keys[0].units}]
	fmt.Printf("Cases pooled over seeds: test %.0f, val %.0f.\n\n", t.cases, v.cases)
	fmt.Println("| rule | strength | units edited | test: fix | test: damage | test: random units fix | test: random other units fix | val: fix | val: damage | val: random units fix | val: random other units fix |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, k := range keys {
		t, v := rows[k], rows[key{"val", k.strength, k.units}]
		rule := "every labelled unit"
		if k.units == 1 {
			rule = "1 unit per topic"
		} else if k.units > 0 {
			rule = fmt.Sprintf("≤ %d units per topic", k.units)
		}
		fmt.Printf("| %s | %s | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", rule, k.label(t.rate(t.strength)),
			t.rate(t.units), t.rate(t.fix), t.rate(t.damage), t.rate(t.randFix), t.rate(t.randOtherFix),
			v.rate(v.fix), v.rate(v.damage), v.rate(v.randFix), v.rate(v.randOtherFix))
	}
	// Steering does not depend on the units per topic: one row per strength.
	fmt.Println()
	fmt.Println("| steering strength | test: fix | test: damage | test: random directions fix | val: fix | val: damage | val: random directions fix |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	done := map[string]bool{}
	slices.SortStableFunc(keys, compareKeys)
	for _, k := range keys {
		if done[k.strength] {
			continue
		}
		done[k.strength] = true
		t, v := rows[k], rows[key{"val", k.strength, k.units}]
		fmt.Printf("| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", k.label(t.rate(t.steerStr)),
			t.rate(t.steerFix), t.rate(t.steerDamage), t.rate(t.randSteerFix), v.rate(v.steerFix), v.rate(v.steerDamage), v.rate(v.randSteerFix))
	}
}
