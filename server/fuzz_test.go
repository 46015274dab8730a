package server

import (
	"net/http"
	"testing"
)

// FuzzDecode: no body, however malformed, makes the request decoders
// panic or answer other than a 4xx JSON error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"content": "party: UA"}`, `{"source": "id: x", "version": 1, "files": {"a": "b"}}`, `{"kind": "deals"}`,
		`{"content": 5}`, `{`, `[]`, `null`, `{"a":1}{}`, `{"content": "\u0000"}`, `{"files": {"a": 1}}`, "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(e *Error) {
			if e != nil && (e.Status < 400 || e.Status >= 500 || e.Code == "" || e.Message == "") {
				t.Fatalf("decode %q: %+v", body, e)
			}
		}
		var a PutPosition
		check(decodeJSON(body, &a))
		var b PutSettlement
		check(decodeJSON(body, &b))
		var c PublishRequest
		check(decodeJSON(body, &c))
	})
}

// FuzzPosition: no position a party sends, however malformed, makes the
// server fail: it is stored, or refused with a 4xx JSON error.
func FuzzPosition(f *testing.F) {
	fx := newFixture(f, "sqlite")
	for _, s := range []string{positionYAML(f, "UA"), "party: UA\n", "party: UA\nred_lines: [{id: a, rule: 'x ==='}]\n", "party: [UA", "- party: UA", "party: UA\nreservation: 2\n",
		"party: UA\nutility: {weights: {territory: -1}}\n", "&a [*a]", "party: UA\n<<: {party: RU}\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		fx.t = t
		r := fx.do("PUT", "/api/settlements/ukraine-2025/positions/UA", "party:UA", PutPosition{Content: content})
		if r.status != http.StatusOK {
			r.errorCode(t)
			if r.status >= 500 {
				t.Fatalf("status %d for %q: %s", r.status, content, r.body)
			}
		}
	})
}
