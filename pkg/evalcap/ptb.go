package evalcap

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CocoTokens tokenises one caption the way coco-caption does before it
// scores: pycocoevalcap/tokenizer/ptbtokenizer.py runs the Stanford
// PTBTokenizer of CoreNLP 3.4.1 with -preserveLines -lowerCase, then splits
// each line on spaces and drops these tokens (its PUNCTUATIONS list):
//
//	'' ' `` ` . ? ! , : - -- ... ;
//
// The rules reproduced here (checked against that tokenizer, built from
// CoreNLP's v3.4.1 sources, on 60,000 generated captions full of
// punctuation, clitics, abbreviations, numbers and non-ASCII text):
//
//   - every token is lower-cased after tokenising (so case still steers a
//     few rules, as in the original: "YOU'RE" stays one token);
//   - punctuation is split off words and the tokens listed above are
//     dropped; "!!", "?!", "%", "$", "&", "#", "+", "=" and other symbols stay
//     as tokens, as in coco-caption;
//   - clitics are split off: "don't" → "do n't", "can't" → "ca n't",
//     "man's" → "man 's", "they're" → "they 're" (also 'm 'd 've 'll);
//     a trailing possessive apostrophe ("dogs'") is dropped;
//     "cannot", "gonna", "gotta", "wanna", "lemme", "gimme" are split
//     ("can not", "gon na", …); "o'clock" and "ma'am" stay one token;
//   - hyphenated words ("t-shirt", "5-year-old"), numbers ("3.5", "1,000",
//     "10:30", "-5"), slashed words ("and/or", "1/2"), words joined by
//     "." ("www.google.com") and "AT&T" stay one token;
//   - acronyms and known abbreviations keep their period ("u.s.", "e.g.",
//     "mr.", "dr.", "etc.", and a single letter such as "b."), except a
//     single letter followed by a capitalised sentence opener ("The", "He",
//     …), whose period is split off;
//   - brackets become -lrb- -rrb- -lcb- -rcb- -lsb- -rsb-: coco-caption's
//     list names -LRB- -RRB- -LCB- -RCB- in upper case but compares them
//     with the lower-cased tokens, so brackets are never removed;
//   - curly quotes and apostrophes count as their ASCII forms, "…" as
//     "...", "–" and "—" as "--", "€" as "$", "£" as "#", "¢" as "cents"
//     and "½" as "1/2"; emoji and control characters are deleted.
//
// Not reproduced (rare in captions): SGML tags and character entities,
// phone numbers, Asian-style smileys, and the tokenizer's look-ahead across
// caption boundaries (coco-caption tokenises all captions in one run, one a
// line, so "plan b." followed by a caption that starts with "He" loses its
// period there; here a caption is always followed by a plain newline).
func CocoTokens(s string) []string {
	var out []string
	// coco-caption writes one caption a line, so the scanner's look-ahead
	// sees a newline after each caption.
	s += "\n"
	for i := 0; i < len(s); {
		toks, n := ptbNext(s[i:])
		i += n
		for _, t := range toks {
			if t = strings.ToLower(t); t != "" && !cocoDropped[t] {
				out = append(out, t)
			}
		}
	}
	return out
}

// CocoTokenize returns CocoTokens(s) joined by single spaces: the
// pre-tokenised form that Evaluate expects.
func CocoTokenize(s string) string { return strings.Join(CocoTokens(s), " ") }

// cocoDropped is coco-caption's PUNCTUATIONS list as it acts on lower-cased
// tokens (its four upper-case bracket entries can never match).
var cocoDropped = map[string]bool{
	"''": true, "'": true, "``": true, "`": true, ".": true, "?": true, "!": true,
	",": true, ":": true, "-": true, "--": true, "...": true, ";": true,
}

// ptbRule is one rule of the scanner. At each position the rule with the
// longest match wins (ties go to the earlier rule), like a lex scanner. When
// the regexp has capture groups, the first group that took part is the
// token and the rest of the match is look-ahead, scanned again.
type ptbRule struct {
	re   *regexp.Regexp
	emit func(tok string) []string // nil: the token as is
	// first reports whether the rule can match text starting with r; it
	// keeps the scanner from trying every regexp at every position.
	first func(r rune) bool
}

// Character classes of the rules.
const (
	reL      = `[\p{L}\p{M}\x{00AD}]`                              // a letter
	reAN     = `[\p{L}\p{M}\x{00AD}\p{Nd}]`                        // a letter or digit
	reApos   = `['\x{0092}\x{2019}]`                               // an apostrophe
	reAposX  = "['`\\x{0092}\\x{2019}\\x{0091}\\x{2018}\\x{201B}]" // an apostrophe or a quote used as one
	reWord   = reL + reAN + `*(?:[.!?]` + reL + reAN + `*)*`
	reClitic = reApos + `(?:[msdMSD]|(?i:re|ve|ll))` // 's 'm 'd 're 've 'll
	reAcro   = `[A-Za-z](?:\.[A-Za-z])*`
	reThing  = `(?:[dDoOlL]` + reAposX + `[\p{L}\p{Nd}])?[\p{L}\p{Nd}]+` // no marks, no soft hyphens
	// reThings is hyphen-joined things ("t-shirt", "o'clock"), reHThing
	// hyphenated words whose first part may hold "." or "," ("3.5-inch").
	reThings = reThing + `(?:[-_\x{058A}\x{2010}\x{2011}]` + reThing + `)*`
	reHThing = `[A-Za-z0-9][A-Za-z0-9.,\x{00AD}]*(?:-(?:[A-Za-z0-9\x{00AD}]+|[A-Za-z](?:\.[A-Za-z])+\.))+`
	reSpace  = `[ \t\n\r\x{00A0}\x{2000}-\x{200A}\x{3000}]`
)

// Abbreviations that keep their period (CoreNLP 3.4.1's lists). A leading
// "^" asks for a capital first letter ("Mass." but not "mass."); the rest is
// matched in any case.
var (
	// ptbAbbrevDated (dates, places, companies, "etc.") are usually followed
	// by lower-case words; the scanner lets them see two characters ahead,
	// so "etc.o'clock" splits after "etc.".
	ptbAbbrevDated = strings.Fields(`jan feb mar apr jun jul aug sep sept oct nov dec
		mon tue tues wed thu thurs fri
		ala ariz ^az ^ark calif colo conn ct dak ^del fla ga ^ill ind kan kans ky ^la ^mass md mich minn
		^miss mo mont neb nev okla ^ore ^pa penn tenn ^tex va vt ^wash wis wisc wyo
		inc co cos corp pty ptys pte ptes ppty pptys ppte pptes ltd plc rt bancorp bhd assn univ intl sys
		tel est ext sq jr sr bros ed.d ph.d blvd rd esq etc al seq bldg`)
	// ptbAbbrevTitle are titles and the like, usually followed by a name.
	ptbAbbrevTitle = strings.Fields(`mr mrs ms drs dr prof profs sen sens rep reps atty attys lt col gen messrs gov govs adm rev maj
		sgt cpl pvt capt st ste ave pres lieut hon brig cmdr comdr pfc spc supt supts det mt ft adj adv
		asst assoc ens insp mlle mme msgr sfc vs alex wm jos cie a.k.a cf treas ph invt elec natl mfg mtg dept`)
	// ptbAbbrevNumber keep their period only before a number ("fig. 3").
	ptbAbbrevNumber = strings.Fields(`ca fig figs prop no nos art bldg pp op`)
	// ptbOpeners are the capitalised words after which a one-letter acronym's
	// period ends the sentence ("plan B. The …").
	ptbOpeners = strings.Fields(`About According Additionally After An A As At But Earlier He Her Here
		However If In It Last Many More Mr. Ms. Now Once One Other Our She Since So Some Such That The
		Their Then There These They This We When While What Yet You`)
)

// altWords turns words into a regexp alternation (the scanner's regexps
// take the longest match, so the order does not matter).
func altWords(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		if strings.HasPrefix(w, "^") {
			w = w[1:]
			parts[i] = strings.ToUpper(w[:1]) + "(?i:" + regexp.QuoteMeta(w[1:]) + ")"
			continue
		}
		if unicode.IsUpper(rune(w[0])) { // openers: capital first letter
			parts[i] = w[:1] + "(?i:" + regexp.QuoteMeta(w[1:]) + ")"
			continue
		}
		parts[i] = "(?i:" + regexp.QuoteMeta(w) + ")"
	}
	return "(?:" + strings.Join(parts, "|") + ")"
}

func isAN(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == 0xAD
}
func isDigit(r rune) bool { return unicode.IsDigit(r) }
func isNumberStart(r rune) bool {
	return unicode.IsDigit(r) || strings.ContainsRune("-+.:,\u00AD", r)
}
func isAnyRune(rune) bool { return true }
func isQuoteRune(r rune) bool {
	return strings.ContainsRune("'`\"\u0091\u0092\u0093\u0094\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F\u2039\u203A\u00AB\u00BB", r)
}
func oneOf(chars string) func(rune) bool {
	return func(r rune) bool { return strings.ContainsRune(chars, r) }
}

// Token rewrites.
var (
	latexQuote = strings.NewReplacer("'", "'", "\"", "''", "\u0092", "'", "\u2019", "'", "\u203A", "'",
		"\u0091", "`", "\u2018", "`", "\u201B", "`", "\u2039", "`",
		"\u0093", "``", "\u201C", "``", "\u00AB", "``", "\u0094", "''", "\u201D", "''", "\u00BB", "''")
	currency  = strings.NewReplacer("\u00A2", "cents", "\u00A3", "#", "\u0080", "$", "\u00A4", "$", "\u20A0", "$", "\u20AC", "$")
	fractions = strings.NewReplacer("\u00BC", "1/4", "\u00BD", "1/2", "\u00BE", "3/4", "\u2153", "1/3", "\u2154", "2/3")
	parens    = strings.NewReplacer("(", "-LRB-", ")", "-RRB-")
	brackets  = strings.NewReplacer("(", "-LRB-", ")", "-RRB-", "{", "-LCB-", "}", "-RCB-", "[", "-LSB-", "]", "-RSB-")
)

func emitQuote(t string) []string { return []string{latexQuote.Replace(t)} }
func emitConst(c string) func(string) []string {
	return func(string) []string { return []string{c} }
}
func dropSoftHyphens(t string) []string { return []string{strings.ReplaceAll(t, "\u00AD", "")} }

// ptbRules are the scanner's rules in priority order.
var ptbRules = func() []ptbRule {
	r := func(re string, first func(rune) bool, emit func(string) []string) ptbRule {
		return ptbRule{re: longest(`^(?:` + re + `)`), first: first, emit: emit}
	}
	return []ptbRule{
		// Assimilations: "cannot" → "can" "not", "gonna" → "gon" "na", 'tis → 't is.
		r(`(?i:(can)not|(gon)na|(got)ta|(lem)me|(gim)me|(wan)na)`, isAN, nil),
		r(`('(?i:t))(?i:was|is)`, oneOf("'"), nil),
		r(`[\x{2013}\x{2014}\x{2015}]`, isAnyRune, emitConst("--")),
		// A word before a clitic: "man" of "man's"; "do" of "don't".
		r(`(`+reWord+`)`+reClitic, isAN, dropSoftHyphens),
		r(`([A-Za-z\x{00AD}]*[A-MO-Za-mo-z]\x{00AD}*)(?i:n)`+reAposX+`(?i:t)`, isAN, dropSoftHyphens),
		r(reWord, isAN, dropSoftHyphens),
		// Words with an apostrophe that stay whole.
		r(reApos+`(?i:n)`+reApos+`?|[lLdDjJ]`+reApos+`|(?i:dunkin|somethin|ol)`+reApos+`|`+reApos+`(?i:em|till?|cause)|`+
			`[A-HJ-XZn]`+reAposX+`\p{L}{2,}|`+reApos+`[2-9]0(?i:s)|`+
			`\p{L}{1,}[aeiouyAEIOUY]`+reAposX+`[aeiouA-Z]\p{L}*|(?i:cont'd)\.?|(?i:nor'easter|c'mon|e'er|s'mores|ev'ry|li'l|nat'l)|O`+reAposX+`o`,
			isAnyRune, nil),
		r(`((?i:y)`+reApos+`)\p{L}`, oneOf("yY"), nil),
		// Web addresses, e-mail addresses, @names and #tags.
		r(`https?://[^ \t\n\f\r"<>|(){}]+[^ \t\n\f\r"<>|.!?(){},-]`, oneOf("hH"), nil),
		r(`(?:www\.(?:[^ \t\n\f\r"<>|.!?(){},]+\.)+[a-zA-Z]{2,4}|(?:[^ \t\n\f\r"`+"`"+`'<>|.!?(){},_$-]+\.)+(?i:com|net|org|edu))`+
			`(?:/[^ \t\n\f\r"<>|()]+[^ \t\n\f\r"<>|.!?(){},-])?`, isAnyRune, nil),
		r(`[a-zA-Z0-9][^ \t\n\f\r"<>|()\x{00A0}{}]*@(?:[^ \t\n\f\r"<>|(){}.\x{00A0}]+\.)*[^ \t\n\f\r"<>|(){}.\x{00A0}]+`, isAN, nil),
		r(`@[a-zA-Z_][a-zA-Z_0-9]*|#`+reL+`+`, oneOf("@#"), nil),
		// Clitics on their own.
		r(`(`+reClitic+`)(?:[^A-Za-z]|$)`, isQuoteRune, emitQuote),
		r(`((?i:n)`+reAposX+`(?i:t))(?:[^A-Za-z]|$)`, oneOf("nN"), emitNot),
		// Numbers, dates, fractions.
		r(`\p{Nd}{1,2}[-/]\p{Nd}{1,2}[-/]\p{Nd}{2,4}`, isDigit, nil),
		r(`[-+]?(?:\p{Nd}+|\p{Nd}*(?:[.:,\x{00AD}]\p{Nd}+)+)`, isNumberStart, dropSoftHyphens),
		r(`(?:\p{Nd}{1,4}[- \x{00A0}])?\p{Nd}{1,4}\\?/\p{Nd}{1,4}`, isDigit, emitFraction),
		r(`-(?i:RRB|LRB|RCB|LCB|RSB|LSB)-|(?i:C\.D\.s|pro-|anti-|S&P-500|S&Ls|Cap'n|c'est)`, oneOf("-cCpPaAsS"), nil),
		r(`[\x{00BC}\x{00BD}\x{00BE}\x{2153}-\x{215E}]`, isAnyRune, func(t string) []string { return []string{fractions.Replace(t)} }),
		r(`[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\?/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2}`, isAN, nil),
		r(`[A-Z]*\$|#`, isAnyRune, nil),
		r(`[\x{00A2}-\x{00A5}\x{0080}\x{20A0}\x{20AC}\x{060B}\x{0E3F}\x{20A4}\x{FFE0}\x{FFE1}\x{FFE5}\x{FFE6}]`, isAnyRune,
			func(t string) []string { return []string{currency.Replace(t)} }),
		// Acronyms and abbreviations with their period.
		r(`(`+reAcro+`\.)`+reSpace+`+`+altWords(ptbOpeners)+reSpace, isAN, emitAcronymEnd),
		r(`(`+altWords(ptbAbbrevNumber)+`\.)`+reSpace+`?\p{Nd}`, isAN, nil),
		r(`(`+altWords(ptbAbbrevDated)+`\.)(?s:.{0,2})`, isAN, nil),
		r(altWords(ptbAbbrevTitle)+`\.|`+reAcro+`\.`, isAN, nil),
		r(`('\p{Nd}\p{Nd})`+reSpace, oneOf("'"), nil),
		r(`(`+reWord+`\.)[,;:]`, isAN, dropSoftHyphens),
		// Quotes, brackets, dashes, dots and other punctuation.
		r(`"`, oneOf(`"`), emitQuote),
		r(`[<>]`, oneOf("<>"), nil),
		r(`([<>]?[:;=][-o*']?[()DPdpO\\{@|\[\]])(?:[^A-Za-z0-9]|$)`, oneOf("<>:;="), func(t string) []string { return []string{parens.Replace(t)} }),
		r(`[(){}\[\]]`, oneOf("(){}[]"), func(t string) []string { return []string{brackets.Replace(t)} }),
		r(`-+`, oneOf("-"), emitHyphens),
		r(`\.{3,5}|(?:\.[ \x{00A0}]){2,4}\.|[\x{0085}\x{2026}]`, oneOf(".\u0085\u2026"), emitConst("...")),
		r(`@+|#+|_+|\*+|(?:\\\*){1,3}`, oneOf("@#_*\\"), nil),
		r(`[,;:\x{3001}]|[?!]+|[.¡¿\x{037E}\x{0589}\x{061F}\x{06D4}\x{0700}-\x{0702}\x{07FA}\x{3002}]|=|/`, isAnyRune, nil),
		// Hyphenated and other joined words.
		r(`(`+reHThing+`\.)[,;:]`, isAN, dropSoftHyphens),
		r(reHThing, isAN, dropSoftHyphens),
		r(`(`+reThings+`\.)[,;:]`, isAN, nil),
		r(reThings, isAN, nil),
		r(`[A-Z]+(?:[+&][A-Z]+)+`, isAN, nil),
		// A quote before a word opens; any other quote closes.
		r(`(')[A-Za-z][^ \t\n\r\x{00A0}]`, oneOf("'"), func(string) []string { return []string{"`"} }),
		r(reClitic, isQuoteRune, emitQuote),
		r(`(?i:n)`+reAposX+`(?i:t)`, oneOf("nN"), emitNot),
		r(reApos+`|''|[`+"`"+`\x{2018}\x{2019}\x{201A}\x{201B}\x{201C}\x{201D}\x{0091}-\x{0094}\x{201E}\x{201F}\x{2039}\x{203A}\x{00AB}\x{00BB}]{1,2}`, isQuoteRune, emitQuote),
		r(`<<|>>`, oneOf("<>"), nil),
		r(`[+%&~^|\\¦§¨©¬®¯°-³´-º×÷\x{0387}\x{2016}\x{2017}\x{2020}-\x{2023}\x{2030}-\x{2038}\x{203B}\x{203E}-\x{2042}\x{2044}`+
			`\x{207A}-\x{207F}\x{208A}-\x{208E}\x{2100}-\x{214F}\x{2190}-\x{21FF}\x{2200}-\x{2BFF}\x{3012}\x{30FB}\x{FF01}-\x{FF0F}`+
			`\x{FF1A}-\x{FF20}\x{FF3B}-\x{FF40}\x{FF5B}-\x{FF65}]`, isAnyRune, nil),
	}
}()

func longest(re string) *regexp.Regexp {
	x := regexp.MustCompile(re)
	x.Longest()
	return x
}

// emitNot writes a split-off "n't" with an ASCII apostrophe.
func emitNot(t string) []string {
	r, n := utf8.DecodeRuneInString(t)
	_, m := utf8.DecodeRuneInString(t[n:])
	return []string{string(r) + "'" + t[n+m:]}
}

// emitFraction keeps "1 1/2" one token, as the original does (with a
// no-break space, so coco-caption's split on ' ' keeps it whole; Evaluate's
// split on any white space cuts it in two, the one place where the two
// differ).
func emitFraction(t string) []string { return []string{strings.ReplaceAll(t, " ", "\u00A0")} }

// emitHyphens: three or four hyphens are a dash "--".
func emitHyphens(t string) []string {
	if len(t) == 3 || len(t) == 4 {
		return []string{"--"}
	}
	return []string{t}
}

// emitAcronymEnd handles an acronym ending a sentence: "U.S." stays whole
// (the original also emits a sentence period, which coco-caption drops); a
// single letter ("B.") loses its period.
func emitAcronymEnd(t string) []string {
	if len(t) == 2 {
		return []string{t[:1]}
	}
	return []string{t}
}

// ptbNext scans the token at the start of s: it returns the tokens to emit
// (none for white space and deleted characters) and the bytes consumed.
func ptbNext(s string) ([]string, int) {
	r, size := utf8.DecodeRuneInString(s)
	if isPTBSpace(r) {
		return nil, size
	}
	if toks, n, ok := plainWord(s); ok {
		return toks, n
	}
	best, bestLen, bestTok := -1, 0, 0
	for k := range ptbRules {
		rule := &ptbRules[k]
		if !rule.first(r) {
			continue
		}
		m := rule.re.FindStringSubmatchIndex(s)
		if m == nil || m[1] <= bestLen {
			continue
		}
		tok := m[1]
		for g := 2; g < len(m); g += 2 {
			if m[g] >= 0 {
				tok = m[g+1]
				break
			}
		}
		best, bestLen, bestTok = k, m[1], tok
	}
	if best < 0 || bestTok == 0 {
		return nil, size // untokenizable: deleted, as coco-caption's run does
	}
	t := s[:bestTok]
	if e := ptbRules[best].emit; e != nil {
		return e(t), bestTok
	}
	return []string{t}, bestTok
}

// plainWord is the fast path for the common case, an ASCII word that ends
// at white space, or at one of , ? ! ) ] } " or a period followed by white
// space: no rule can match more than the word itself there, except the
// assimilations ("gonna") and, before a period, the abbreviations and
// one-letter acronyms, which take the slow path.
func plainWord(s string) ([]string, int, bool) {
	n := 0
	for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z') {
		n++
	}
	if n == 0 || plainAssimilation[strings.ToLower(s[:n])] {
		return nil, 0, false
	}
	if n < len(s) && s[n] == '.' {
		if n == 1 || !plainSpace(s[n+1:]) || ptbAbbrevSet[strings.ToLower(s[:n])] {
			return nil, 0, false
		}
		return []string{s[:n], "."}, n + 1, true
	}
	if plainSpace(s[n:]) || strings.IndexByte(",?!)]}\"", s[n]) >= 0 && plainSpace(s[n+1:]) {
		return []string{s[:n]}, n, true
	}
	return nil, 0, false
}

// plainSpace reports whether s starts with ASCII white space or is empty.
func plainSpace(s string) bool {
	return s == "" || s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r'
}

var (
	plainAssimilation = map[string]bool{"cannot": true, "gonna": true, "gotta": true, "lemme": true, "gimme": true, "wanna": true}
	// ptbAbbrevSet holds every abbreviation, lower case.
	ptbAbbrevSet = func() map[string]bool {
		m := map[string]bool{}
		for _, list := range [][]string{ptbAbbrevDated, ptbAbbrevTitle, ptbAbbrevNumber} {
			for _, w := range list {
				m[strings.TrimPrefix(w, "^")] = true
			}
		}
		return m
	}()
)

func isPTBSpace(r rune) bool {
	return unicode.IsSpace(r) || r == 0 || r == 0x200B || r == 0x200E || r == 0x200F || r == 0xFEFF
}
