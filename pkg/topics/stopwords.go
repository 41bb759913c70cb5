package topics

import (
	"sort"
	"strings"
)

// englishStopWords is neurotopics' own list of English function words:
// articles and determiners, pronouns, prepositions, conjunctions, auxiliary
// and modal verbs, common adverbs, and the forms contractions take after
// corpus.Tokenize drops their apostrophe ("isn't" → "isnt"). Content words
// that carry meaning in video captions (numbers such as "two", "making",
// "man") are deliberately not in it.
const englishStopWords = `
a an the this that these those some any each every either neither no all both
few many much more most other another such what which whose own same several
i me my mine myself we us our ours ourselves you your yours yourself
yourselves he him his himself she her hers herself it its itself they them
their theirs themselves one ones someone something somebody somewhere anyone
anything anybody anywhere everyone everything everybody everywhere nobody
nothing nowhere none who whom whoever whatever whichever
about above across after against along amid among amongst around as at
before behind below beneath beside besides between beyond by down during
except for from in inside into near of off on onto out outside over past per
since through throughout till to toward towards under underneath until up upon
via with within without
and but or nor so yet if because although though while whilst whereas whether
unless than then else
am is are was were be been being have has had having do does did doing done
will would shall should can could may might must ought
very too also just only even still again ever never not yes here there where
when why how now once always often soon rather quite almost already perhaps
thus hence however therefore otherwise instead indeed
isnt arent wasnt werent hasnt havent hadnt doesnt dont didnt wont wouldnt
shant shouldnt cant cannot couldnt mustnt neednt mightnt
im ive youre youve hes shes theyre theyve weve thats theres whats whos heres
lets etc
`

var builtinStopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(englishStopWords) {
		m[w] = true
	}
	return m
}()

// StopWords returns the built-in English stop words, sorted.
func StopWords() []string {
	out := make([]string, 0, len(builtinStopWords))
	for w := range builtinStopWords {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}
