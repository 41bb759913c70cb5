package nbui

import (
	"cmp"
	"fmt"
	"html"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/revise"
)

// TopicWords maps a topic name ("topic 7") to its top words, as the topics
// stage writes them (topics.StageResult.TopicWords); the revision displays
// name topics with their first words. Nil: names alone.
type TopicWords map[string][]string

// name returns a topic's name with its first three words.
func (w TopicWords) name(topic string) string {
	ws := w[topic]
	if topic == "" || len(ws) == 0 {
		return orDash(topic)
	}
	return topic + " (" + strings.Join(ws[:min(3, len(ws))], " ") + ")"
}

// ShowExplanation shows which units drive each word of a clip's caption
// (revise.Reviser.Explain): per word its units with their topic labels
// (named with words) and prediction differences, the clip's most active
// units and its top topic scores, and the clip's first reference caption if
// given.
func ShowExplanation(ex *revise.Explanation, reference string, words TopicWords) {
	if !gonbui.IsNotebook {
		fmt.Print(ex)
		if reference != "" {
			fmt.Println("  reference:", reference)
		}
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="neurotopics-explain"><p>clip <b>%s</b>, caption: <b>%s</b>`, html.EscapeString(ex.Clip), html.EscapeString(ex.Caption))
	if reference != "" {
		fmt.Fprintf(&b, "<br>reference: %s", html.EscapeString(reference))
	}
	b.WriteString("</p><table><tr><th>word</th><th>units driving it (topic label, PD in log2-odds, activation)</th></tr>")
	for _, w := range ex.Words {
		parts := make([]string, len(w.Units))
		for k, u := range w.Units {
			parts[k] = fmt.Sprintf("unit %d (%s, PD %+.2f, a=%.2f)", u.Unit, words.name(u.Label), u.PD, u.Activation)
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>", html.EscapeString(w.Word), html.EscapeString(strings.Join(parts, "; ")))
	}
	b.WriteString("</table><p>most active units: ")
	parts := make([]string, len(ex.TopUnits))
	for k, u := range ex.TopUnits {
		parts[k] = fmt.Sprintf("%d (%s, a=%.2f)", u.Unit, words.name(u.Label), u.Activation)
	}
	b.WriteString(html.EscapeString(strings.Join(parts, ", ")))
	if len(ex.Topics) > 0 {
		b.WriteString("<br>top topic scores: " + html.EscapeString(topicList(ex.Topics, words)))
	}
	b.WriteString("</p></div>")
	displayHTML(b.String())
}

// orDash returns s, or "–" if it is empty.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// topicList formats topic scores as "name 0.91, name 0.40".
func topicList(ts []revise.TopicScore, words TopicWords) string {
	parts := make([]string, len(ts))
	for k, t := range ts {
		parts[k] = fmt.Sprintf("%s %.2f", words.name(t.Topic), t.Score)
	}
	return strings.Join(parts, ", ")
}

// ShowRevision shows a revision: the edits, the caption before and after
// with the changed words marked (struck out / underlined in a notebook,
// [-removed-] {+added+} in text), and the top topic scores before and
// after. In a notebook it is one output, HTML with a text/plain version
// (the "before:" / "after:" lines); outside, the text.
func ShowRevision(v *revise.Revision) {
	if gonbui.IsNotebook {
		displayHTMLText(revisionHTML(v), revisionText(v))
		return
	}
	fmt.Print(revisionText(v))
}

// revisionText is the text version of a revision.
func revisionText(v *revise.Revision) string {
	return fmt.Sprintf("%s\nbefore: %s\nafter:  %s\n", revisionTitle(v), v.Before, v.Marked())
}

// revisionTitle names a revision's clip and edits.
func revisionTitle(v *revise.Revision) string {
	es := make([]string, len(v.Edits))
	for k, e := range v.Edits {
		es[k] = e.String()
		if e.Reason != "" && e.Reason != "set" {
			es[k] += " (" + e.Reason + ")"
		}
	}
	if len(es) == 0 {
		es = []string{"none"}
	}
	return fmt.Sprintf("clip %s, edits: %s", v.Clip, strings.Join(es, ", "))
}

// revisionHTML renders a revision.
func revisionHTML(v *revise.Revision) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="neurotopics-revision"><p>%s</p>`, html.EscapeString(revisionTitle(v)))
	fmt.Fprintf(&b, `<p>before: <span class="neurotopics-before" data-caption="%s">%s</span>`, html.EscapeString(v.Before), html.EscapeString(v.Before))
	if len(v.TopicsBefore) > 0 {
		fmt.Fprintf(&b, ` <small>(topics: %s)</small>`, html.EscapeString(topicList(v.TopicsBefore, nil)))
	}
	fmt.Fprintf(&b, `<br>after: <span class="neurotopics-after" data-caption="%s">`, html.EscapeString(v.After))
	for k, w := range v.Changes {
		if k > 0 {
			b.WriteString(" ")
		}
		switch w.Change {
		case revise.Removed:
			fmt.Fprintf(&b, `<del style="color:#b00">%s</del>`, html.EscapeString(w.Word))
		case revise.Added:
			fmt.Fprintf(&b, `<ins style="color:#070;font-weight:600">%s</ins>`, html.EscapeString(w.Word))
		default:
			b.WriteString(html.EscapeString(w.Word))
		}
	}
	b.WriteString("</span>")
	if len(v.TopicsAfter) > 0 {
		fmt.Fprintf(&b, ` <small>(topics: %s)</small>`, html.EscapeString(topicList(v.TopicsAfter, nil)))
	}
	if !v.Changed() {
		b.WriteString("<br><i>(the edits did not change the caption)</i>")
	}
	b.WriteString("</p></div>")
	return b.String()
}

// TopicSwap returns a topic request for a clip whose caption is caption,
// through topics that have units interpreted as them: "none of" the topics
// of a concept the caption names and "more of" those of another concept of
// the same family (families in the ground truth's order); failing that,
// only "none of" a named concept's topics. A concept's topics are
// r.ConceptTopics' (the topics stage's concept_topics.json), or the topic
// named like it. ok is false if no named concept has units (or g is nil);
// the caller can then edit units by number.
func TopicSwap(r *revise.Reviser, g *dataset.GroundTruth, caption string) (q revise.Request, ok bool) {
	if g == nil || r.Topics == nil {
		return revise.Request{}, false
	}
	topicsOf := func(concept string) []string {
		names := []string{concept}
		if r.ConceptTopics != nil {
			names = r.ConceptTopics[concept]
		}
		var out []string
		for _, t := range names {
			if _, us, err := r.TopicUnits(t); err == nil && len(us) > 0 {
				out = append(out, t)
			}
		}
		return out
	}
	named := g.ConceptsInCaption(caption)
	var fallback []string
	for _, fam := range g.Families {
		for _, c := range named {
			if !slices.Contains(fam.Concepts, c) {
				continue
			}
			none := topicsOf(c)
			if len(none) == 0 {
				continue
			}
			if fallback == nil {
				fallback = none
			}
			for _, other := range fam.Concepts {
				if slices.Contains(named, other) {
					continue
				}
				// A topic standing for both concepts would be set to 0 and boosted.
				more := slices.DeleteFunc(topicsOf(other), func(t string) bool { return slices.Contains(none, t) })
				if len(more) > 0 {
					return revise.Request{None: none, More: more}, true
				}
			}
		}
	}
	if fallback != nil {
		return revise.Request{None: fallback}, true
	}
	return revise.Request{}, false
}

// FindTopicSwap decodes the captions of clips ids (their semantic layers
// as) and returns the first clip whose caption allows a TopicSwap, with
// that request; ok is false (and k 0) if none does.
func FindTopicSwap(r *revise.Reviser, g *dataset.GroundTruth, ids []string, as [][]float32) (k int, q revise.Request, ok bool, err error) {
	if len(ids) != len(as) {
		return 0, q, false, fmt.Errorf("find topic swap: %d ids for %d rows of a", len(ids), len(as))
	}
	caps, err := r.Model.DecodeFrom(as, r.Decode)
	if err != nil {
		return 0, q, false, fmt.Errorf("find topic swap: %w", err)
	}
	for k, c := range caps {
		if q, ok := TopicSwap(r, g, c.Text()); ok {
			return k, q, true, nil
		}
	}
	return 0, revise.Request{}, false, nil
}

// ShowMeasurement shows the revise stage's measurement of the automatic
// revision rule (its tables) and up to n of the revisions it fixed, decoded
// by r (the reviser of the measured model, Run.Reviser).
func ShowMeasurement(m *revise.Measurement, r *revise.Reviser, n int) {
	Markdown(m.Markdown())
	fixed := m.Revisions(true, r, revise.MapUnits)
	if len(fixed) == 0 {
		Markdown("*The rule fixed no caption of this run.*")
		return
	}
	for k := range fixed[:min(n, len(fixed))] {
		ShowRevision(&fixed[k])
	}
}

// TopUnits returns up to n units of a, most active first, that are active
// and have a boost level (revise.Stats.High > 0).
func TopUnits(r *revise.Reviser, a []float32, n int) []int {
	var us []int
	for i, v := range a {
		if v > 0 && (r.Stats == nil || r.Stats.High[i] > 0) {
			us = append(us, i)
		}
	}
	slices.SortStableFunc(us, func(x, y int) int { return cmp.Compare(a[y], a[x]) })
	return us[:min(n, len(us))]
}

// WidgetsEnv names the environment variable that turns the revision widgets
// on ("1") or off ("0"); by default they are on in a notebook outside quick
// mode.
const WidgetsEnv = "NEUROTOPICS_WIDGETS"

// WidgetTimeoutEnv names the environment variable that sets how long the
// revision widgets wait for a change before they stop listening (a Go
// duration, default 10m).
const WidgetTimeoutEnv = "NEUROTOPICS_WIDGET_TIMEOUT"

// widgetStartTimeout bounds the wait for the browser to answer a new
// widget: without a front-end (e.g. nbconvert --execute, which runs no
// JavaScript) GoNB's widgets would wait for ever.
const widgetStartTimeout = 20 * time.Second

// WidgetsEnabled reports whether ReviseWidgets shows live widgets:
// $NEUROTOPICS_WIDGETS = 1 turns them on in any notebook, 0 off; otherwise
// they are on in a notebook outside quick mode. Headless runs (CI) set quick
// mode, so they never wait on widgets.
func WidgetsEnabled() bool {
	if !gonbui.IsNotebook {
		return false
	}
	switch os.Getenv(WidgetsEnv) {
	case "1":
		return true
	case "0":
		return false
	}
	return !Quick()
}

// widgetTimeout is how long ReviseWidgets listens without a change.
func widgetTimeout() time.Duration {
	if d, err := time.ParseDuration(os.Getenv(WidgetTimeoutEnv)); err == nil && d > 0 {
		return d
	}
	return 10 * time.Minute
}

// sliderSteps is the resolution of the unit sliders: slider position s
// sets the unit to s/sliderSteps × its high activation (revise.Stats.High),
// from 0 to twice it.
const sliderSteps = 50

// sliderPosition is the position of a unit's slider at activation v.
func sliderPosition(v, high float32) int {
	if high <= 0 {
		return 0
	}
	return max(0, min(2*sliderSteps, int(0.5+float64(v)/float64(high)*sliderSteps)))
}

// sliderActivation is the activation a slider at position s sets.
func sliderActivation(s int, high float32) float64 {
	return float64(s) / sliderSteps * float64(high)
}

// widgetUnits returns the units ReviseWidgets gives a slider: n units that
// have a boost level (revise.Stats.High > 0), the clip's most active first
// and, when fewer than n are active, then the inactive ones of highest
// boost level (a slider from 0 turns them on).
func widgetUnits(r *revise.Reviser, a []float32, n int) []int {
	us := TopUnits(r, a, n)
	if len(us) >= n || r.Stats == nil {
		return us
	}
	var rest []int
	for i, v := range a {
		if v <= 0 && r.Stats.High[i] > 0 {
			rest = append(rest, i)
		}
	}
	slices.SortStableFunc(rest, func(x, y int) int { return cmp.Compare(r.Stats.High[y], r.Stats.High[x]) })
	return append(us, rest[:min(n-len(us), len(rest))]...)
}

// widgetEdits returns the edits of the sliders of units us at positions
// values that have moved from their first positions: a slider left where
// it started edits nothing, so that the clip's activations stay exactly the
// model's (its position is rounded to a step).
func widgetEdits(high []float32, us, first, values []int) []revise.Edit {
	var es []revise.Edit
	for k, i := range us {
		if values[k] != first[k] {
			es = append(es, revise.Set(i, sliderActivation(values[k], high[i])))
		}
	}
	return es
}

// widgetTableHTML renders the widgets' table: a row per unit with its
// label, a cell for its slider (ids sliderCell) and its value — the
// model's activation until the slider moves, then the value the slider
// sets, kept up to date by a script in the browser — then the cells of the
// topic select and the done button. data-units holds the number of
// sliders.
func widgetTableHTML(tableID string, us []int, a, high []float32, labels []string, sliderCell []string, selectID, doneID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table class="neurotopics-revise-widgets" id="%s" data-units="%d"><tr><th>unit (topic label)</th><th>activation: 0 to twice its high level</th><th>value</th></tr>`,
		tableID, len(us))
	for k, i := range us {
		fmt.Fprintf(&b, `<tr><td>unit %d (%s)</td><td id="%s"></td><td class="neurotopics-unit-now" data-a="%.2f" data-first="%d" data-high="%g">%.2f (the model's)</td></tr>`,
			i, html.EscapeString(labels[k]), sliderCell[k], a[i], sliderPosition(a[i], high[i]), high[i], a[i])
	}
	fmt.Fprintf(&b, `<tr><td>topic request</td><td id="%s"></td><td></td></tr><tr><td></td><td id="%s"></td><td></td></tr></table>`, selectID, doneID)
	// The value labels follow their sliders in the browser, as they move.
	fmt.Fprintf(&b, `<script>(function(){var t=document.getElementById(%q);if(!t)return;`+
		`t.addEventListener("input",function(e){var s=e.target;if(s.type!=="range")return;`+
		`var n=s.closest("tr").querySelector(".neurotopics-unit-now");if(!n)return;var v=Number(s.value);`+
		`n.textContent=v===Number(n.dataset.first)?n.dataset.a+" (the model's)":(v/%d*Number(n.dataset.high)).toFixed(2);});})();</script>`,
		tableID, sliderSteps)
	return b.String()
}

// ReviseWidgets re-captions a clip live as a person edits its semantic
// layer a (topics named with words): a slider for each of units units — the
// clip's most active (widgetUnits) — from 0 to twice the unit's high
// activation, with its value beside it, and a select of topic requests
// ("more of" / "none of" a topic that has units). Until a widget moves, the
// revision shown is the model's own caption (no edit); then every change
// re-decodes the caption with the units whose sliders moved set as their
// sliders say, and redraws the revision (before / after, changed words
// marked). It listens until the "done" button is pressed or nothing
// changes for $NEUROTOPICS_WIDGET_TIMEOUT (default 10 minutes).
//
// When WidgetsEnabled is false it says so and returns at once; when no
// browser answers within 20 s (a headless run) it returns too. So a
// notebook can call it unconditionally and print its revisions without
// widgets (ShowRevision) for headless runs.
func ReviseWidgets(r *revise.Reviser, clip string, a []float32, units int, words TopicWords) error {
	if !WidgetsEnabled() {
		msg := "Widgets are off (quick mode or not a notebook); set NEUROTOPICS_WIDGETS=1 to show them."
		if gonbui.IsNotebook {
			Markdown("*" + msg + "*")
		} else {
			fmt.Println(msg)
		}
		return nil
	}
	if r.Stats == nil {
		return fmt.Errorf("revise widgets: the reviser has no unit statistics (revise.Stats)")
	}
	us := widgetUnits(r, a, units)
	options := []string{"(no topic request)"}
	var requests []revise.Request
	requests = append(requests, revise.Request{})
	if r.Topics != nil {
		for _, t := range r.Topics.Topics {
			if _, u, err := r.TopicUnits(t); err != nil || len(u) == 0 {
				continue
			}
			options = append(options, "more of "+words.name(t), "none of "+words.name(t))
			requests = append(requests, revise.Request{More: []string{t}}, revise.Request{None: []string{t}})
		}
	}
	escaped := make([]string, len(options))
	for k, o := range options {
		escaped[k] = html.EscapeString(o)
	}
	values := make([]int, len(us))
	first := make([]int, len(us))
	rowID := make([]string, len(us))
	labels := make([]string, len(us))
	for k, i := range us {
		first[k] = sliderPosition(a[i], r.Stats.High[i])
		values[k] = first[k]
		rowID[k] = "nt_unit_" + gonbui.UniqueID()
		label := ""
		if r.Topics != nil {
			label = r.Topics.LabelOf(i)
		}
		labels[k] = words.name(label)
	}
	selectID, doneID := "nt_topic_"+gonbui.UniqueID(), "nt_done_"+gonbui.UniqueID()
	if len(us) < units {
		Markdown(fmt.Sprintf("*Only %d units of this model have a boost level (units that are never active have none): %d sliders.*", len(us), len(us)))
	}
	displayHTML(widgetTableHTML("nt_widgets_"+gonbui.UniqueID(), us, a, r.Stats.High, labels, rowID, selectID, doneID))
	outID := "nt_revision_" + gonbui.UniqueID()

	type built struct {
		sliders []*widgets.SliderBuilder
		sel     *widgets.SelectBuilder
		done    *widgets.ButtonBuilder
	}
	ready := make(chan built, 1)
	go func() {
		var w built
		for k := range us {
			w.sliders = append(w.sliders, widgets.Slider(0, 2*sliderSteps, values[k]).AppendTo(rowID[k]).Done())
		}
		w.sel = widgets.Select(escaped).AppendTo(selectID).Done()
		w.done = widgets.Button("done").AppendTo(doneID).Done()
		ready <- w
	}()
	var w built
	select {
	case w = <-ready:
	case <-time.After(widgetStartTimeout):
		Markdown("*No browser answered the widgets (a headless run?); skipping them.*")
		return nil
	}

	type event struct{ slider, value int } // slider −1: the select; −2: done
	events := make(chan event, 16)
	forward := func(k int, c <-chan int) {
		for v := range c {
			events <- event{k, v}
		}
	}
	for k, s := range w.sliders {
		go forward(k, s.Listen().C)
	}
	go forward(-1, w.sel.Listen().C)
	go forward(-2, w.done.Listen().C)

	topic := 0
	update := func() error {
		q := requests[topic]
		q.Edits = widgetEdits(r.Stats.High, us, first, values)
		v, err := r.Revise(clip, a, q)
		if err != nil {
			gonbui.UpdateHTML(outID, "<p>"+html.EscapeString(err.Error())+"</p>")
			return nil
		}
		gonbui.UpdateHTML(outID, revisionHTML(v))
		return nil
	}
	if err := update(); err != nil {
		return err
	}
	timeout := widgetTimeout()
	for {
		select {
		case e := <-events:
			switch {
			case e.slider == -2:
				Markdown("*Done: widgets stopped.*")
				return nil
			case e.slider == -1:
				if e.value >= 0 && e.value < len(requests) {
					topic = e.value
				}
			default:
				values[e.slider] = e.value
			}
			if err := update(); err != nil {
				return err
			}
		case <-time.After(timeout):
			Markdown(fmt.Sprintf("*No change for %s: widgets stopped.*", timeout))
			return nil
		}
	}
}
