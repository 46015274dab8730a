package monitor

import (
	"sort"
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
// generic word for its class (System "artillery"), and the words that
// name it in text, lower case.
type Weapon struct {
	System string
	Class  WeaponClass
	Words  []string
}

// Weapons is the lexicon through which withdrawal terms and events are
// matched (docs/monitoring.md). Generic entries (the class words) come
// first in each class.
var Weapons = []Weapon{
	{"artillery", Artillery, []string{"artillery", "howitzer", "howitzers"}},
	{"D-30", Artillery, []string{"d-30", "d30"}},
	{"D-20", Artillery, []string{"d-20"}},
	{"2S1 Gvozdika", Artillery, []string{"gvozdika", "2s1"}},
	{"2S3 Akatsiya", Artillery, []string{"akatsiya", "akatsia", "2s3"}},
	{"2S5 Giatsint", Artillery, []string{"giatsint", "hyacinth", "2s5", "2a36", "2a65", "msta-b"}},
	{"2S19 Msta", Artillery, []string{"msta", "msta-s", "2s19"}},
	{"2S7 Pion", Artillery, []string{"pion", "2s7"}},
	{"M777", Artillery, []string{"m777"}},
	{"PzH 2000", Artillery, []string{"pzh 2000", "pzh2000", "panzerhaubitze"}},
	{"Caesar", Artillery, []string{"caesar"}},
	{"Krab", Artillery, []string{"krab"}},
	{"Bohdana", Artillery, []string{"bohdana"}},
	{"M109", Artillery, []string{"m109", "paladin"}},
	{"MLRS", MLRS, []string{"mlrs", "multiple launch rocket", "multiple-launch rocket", "multiple rocket launcher", "multiple rocket launchers", "rocket artillery"}},
	{"BM-21 Grad", MLRS, []string{"grad", "bm-21", "bm21"}},
	{"BM-27 Uragan", MLRS, []string{"uragan", "bm-27", "bm27"}},
	{"BM-30 Smerch", MLRS, []string{"smerch", "bm-30", "bm30"}},
	{"Tornado", MLRS, []string{"tornado", "tornado-g", "tornado-s", "tornado-u"}},
	{"HIMARS", MLRS, []string{"himars"}},
	{"M270", MLRS, []string{"m270"}},
	{"Vilkha", MLRS, []string{"vilkha"}},
	{"Bureviy", MLRS, []string{"bureviy", "burevii"}},
	{"tactical missile", TacticalMissile, []string{"tactical missile", "tactical missiles", "tactical ballistic missile", "ballistic missile", "ballistic missiles"}},
	{"OTR-21 Tochka", TacticalMissile, []string{"tochka", "tochka-u", "otr-21"}},
	{"Iskander", TacticalMissile, []string{"iskander", "iskander-m"}},
	{"ATACMS", TacticalMissile, []string{"atacms"}},
}

// generic reports whether the entry is its class's generic word.
func (w *Weapon) generic() bool {
	return w.System == string(w.Class) || w.System == "MLRS" || w.System == "tactical missile"
}

// mentions returns the indexes in Weapons of the entries whose words
// occur in text as whole words (case-insensitive).
func mentions(text string) []int {
	if text == "" {
		return nil
	}
	low := strings.ToLower(text)
	var out []int
	for i := range Weapons {
		for _, w := range Weapons[i].Words {
			if containsWord(low, w) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// containsWord reports whether w occurs in s with no letter or digit
// directly before or after it.
func containsWord(s, w string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(w)
		if (i == 0 || !isWordByte(s[i-1])) && (j == len(s) || !isWordByte(s[j])) {
			return true
		}
		off = i + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}

// coverage returns the lexicon entries a withdrawal term's weapons text
// covers: the named systems when it names any (the strictest Minsk II
// term names Tornado-S, Uragan, Smerch and Tochka), otherwise every entry
// of each class whose generic word it uses ("artillery of 100 mm calibre
// and more", "multiple launch rocket systems"). The result is sorted; it
// is empty when the text names nothing the lexicon knows.
func coverage(weapons string) []int {
	found := mentions(weapons)
	var named []int
	classes := map[WeaponClass]bool{}
	for _, i := range found {
		if Weapons[i].generic() {
			classes[Weapons[i].Class] = true
		} else {
			named = append(named, i)
		}
	}
	if len(named) > 0 {
		return named
	}
	var out []int
	for i := range Weapons {
		if classes[Weapons[i].Class] {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}
