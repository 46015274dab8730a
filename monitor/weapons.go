package monitor

import (
	"bytes"
	"strings"
)

// WeaponClass is a class of heavy weapons that withdrawal terms name.
type WeaponClass string

// The weapon classes of the lexicon.
const (
	Artillery       WeaponClass = "artillery"        // tube artillery: howitzers and guns
	MLRS            WeaponClass = "mlrs"             // multiple launch rocket systems
	TacticalMissile WeaponClass = "tactical-missile" // tactical ballistic missiles
)

// Weapon is one entry of the weapons lexicon: a weapon system, or a
// generic word for a class, and the words and phrases that name it in
// text, lower case. A word is matched whole: "grad" is found in "Grad
// rockets" and "BM-21 Grad", not in "upgrade" or "Belgrade"; the parts of
// a hyphenated word count as words ("tochka" in "Tochka-U").
type Weapon struct {
	System  string
	Class   WeaponClass
	Generic bool // a word for the whole class, not one system
	Words   []string
}

// Weapons is the lexicon through which withdrawal terms and events are
// matched (docs/monitoring.md).
var Weapons = []Weapon{
	{"artillery", Artillery, true, []string{"artillery", "howitzer", "howitzers"}},
	{"D-30", Artillery, false, []string{"d-30", "d30"}},
	{"D-20", Artillery, false, []string{"d-20"}},
	{"2S1 Gvozdika", Artillery, false, []string{"gvozdika", "2s1"}},
	{"2S3 Akatsiya", Artillery, false, []string{"akatsiya", "akatsia", "2s3"}},
	{"2S5 Giatsint", Artillery, false, []string{"giatsint", "hyacinth", "2s5", "2a36"}},
	{"2A65 Msta-B", Artillery, false, []string{"msta-b", "2a65"}},
	{"2S19 Msta-S", Artillery, false, []string{"msta", "msta-s", "2s19"}},
	{"2S7 Pion", Artillery, false, []string{"pion", "2s7"}},
	{"M777", Artillery, false, []string{"m777"}},
	{"PzH 2000", Artillery, false, []string{"pzh 2000", "pzh2000", "panzerhaubitze"}},
	{"Caesar", Artillery, false, []string{"caesar"}},
	{"Krab", Artillery, false, []string{"krab"}},
	{"Bohdana", Artillery, false, []string{"bohdana"}},
	{"M109", Artillery, false, []string{"m109", "paladin"}},
	{"MLRS", MLRS, true, []string{"mlrs", "multiple launch rocket", "multiple-launch rocket", "multiple rocket launcher", "multiple rocket launchers", "rocket artillery"}},
	{"BM-21 Grad", MLRS, false, []string{"grad", "bm-21", "bm21"}},
	{"BM-27 Uragan", MLRS, false, []string{"uragan", "bm-27", "bm27"}},
	{"BM-30 Smerch", MLRS, false, []string{"smerch", "bm-30", "bm30"}},
	{"Tornado", MLRS, false, []string{"tornado", "tornado-g", "tornado-s", "tornado-u"}},
	{"HIMARS", MLRS, false, []string{"himars"}},
	{"M270", MLRS, false, []string{"m270"}},
	{"Vilkha", MLRS, false, []string{"vilkha"}},
	{"Bureviy", MLRS, false, []string{"bureviy", "burevii"}},
	{"tactical missile", TacticalMissile, true, []string{"tactical missile", "tactical missiles", "tactical ballistic missile", "ballistic missile", "ballistic missiles"}},
	{"OTR-21 Tochka", TacticalMissile, false, []string{"tochka", "tochka-u", "otr-21"}},
	{"Iskander", TacticalMissile, false, []string{"iskander", "iskander-m"}},
	{"ATACMS", TacticalMissile, false, []string{"atacms"}},
}

// weaponSet is a set of entries of Weapons, one bit each.
type weaponSet uint64

// lexicon indexes Weapons: one-word names, and phrases by their first
// word; first marks the bytes a word or a hyphenated part of one can
// start with, and maxLen is the longest word, so that most tokens of a
// text are passed over without a lookup.
var lexicon = func() (l struct {
	words   map[string]weaponSet
	phrases map[string][]phrase
	first   [256]bool
	maxLen  int
}) {
	if len(Weapons) > 64 {
		panic("monitor: more than 64 weapons in the lexicon")
	}
	l.words, l.phrases = map[string]weaponSet{}, map[string][]phrase{}
	for i, w := range Weapons {
		for _, word := range w.Words {
			for _, part := range strings.FieldsFunc(word, func(r rune) bool { return r == ' ' || r == '-' }) {
				l.first[part[0]] = true
			}
			l.maxLen = max(l.maxLen, len(word))
			toks := strings.Fields(word)
			if len(toks) == 1 {
				l.words[word] |= 1 << i
				continue
			}
			l.phrases[toks[0]] = append(l.phrases[toks[0]], phrase{rest: toks[1:], set: 1 << i})
		}
	}
	return l
}()

type phrase struct {
	rest []string
	set  weaponSet
}

// mentions returns the entries of Weapons named in text.
func mentions(text string) weaponSet {
	if text == "" {
		return 0
	}
	var arr [1024]byte
	low := arr[:0]
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low = append(low, c)
	}
	var tarr [256][2]int32
	toks := tarr[:0]
	for i := 0; i < len(low); {
		if !isWordByte(low[i]) {
			i++
			continue
		}
		j := i
		for j < len(low) && (isWordByte(low[j]) || low[j] == '-' && j+1 < len(low) && isWordByte(low[j+1])) {
			j++
		}
		toks = append(toks, [2]int32{int32(i), int32(j)})
		i = j
	}
	var set weaponSet
	for k, t := range toks {
		tok := low[t[0]:t[1]]
		if !lexicon.first[tok[0]] && bytes.IndexByte(tok, '-') < 0 {
			continue
		}
		if len(tok) <= lexicon.maxLen {
			set |= lexicon.words[string(tok)]
		}
		if bytes.IndexByte(tok, '-') >= 0 {
			for _, part := range bytes.Split(tok, []byte("-")) {
				set |= lexicon.words[string(part)]
			}
		}
		for _, ph := range lexicon.phrases[string(tok)] {
			if k+len(ph.rest) >= len(toks) {
				continue
			}
			ok := true
			for m, want := range ph.rest {
				u := toks[k+1+m]
				if string(low[u[0]:u[1]]) != want {
					ok = false
					break
				}
			}
			if ok {
				set |= ph.set
			}
		}
	}
	return set
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}

// coverage returns the lexicon entries a withdrawal term's weapons text
// covers: the named systems when it names any (the strictest Minsk II
// term names Tornado-S, Uragan, Smerch and Tochka), otherwise every entry
// of each class whose generic word it uses ("artillery of 100 mm calibre
// and more", "multiple launch rocket systems"). It is empty when the text
// names nothing the lexicon knows.
func coverage(weapons string) weaponSet {
	found := mentions(weapons)
	var named weaponSet
	classes := map[WeaponClass]bool{}
	for i, w := range Weapons {
		if found&(1<<i) == 0 {
			continue
		}
		if w.Generic {
			classes[w.Class] = true
		} else {
			named |= 1 << i
		}
	}
	if named != 0 {
		return named
	}
	var out weaponSet
	for i, w := range Weapons {
		if classes[w.Class] {
			out |= 1 << i
		}
	}
	return out
}

// systems lists the names of the entries of a set, in lexicon order.
func (s weaponSet) systems() []string {
	var out []string
	for i, w := range Weapons {
		if s&(1<<i) != 0 {
			out = append(out, w.System)
		}
	}
	return out
}
