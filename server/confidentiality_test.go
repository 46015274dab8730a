package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/entente-org/entente/store"
)

// secrets returns, for each party, the strings only that party's position
// holds (its red lines' ids, rules and descriptions), less any that the
// settlement shows without positions: what no other party may ever read.
func (f *fixture) secrets() map[string][]string {
	f.t.Helper()
	full, e := f.srv.load(context.Background(), "ukraine-2025", "")
	if e != nil || full.s == nil {
		f.t.Fatalf("load: %v", e)
	}
	public, e := f.srv.load(context.Background(), "ukraine-2025", nobody)
	if e != nil {
		f.t.Fatalf("load: %v", e)
	}
	out := map[string][]string{}
	for _, p := range full.s.Positions {
		for _, rl := range p.RedLines {
			for _, s := range []string{rl.ID, rl.Rule.Expr, rl.Description} {
				if len(s) >= 6 && !bytes.Contains(public.source, []byte(s)) {
					out[p.Party] = append(out[p.Party], s)
				}
			}
		}
	}
	if len(out) < 3 {
		f.t.Fatalf("the example should hold red lines of several parties, got %v", out)
	}
	return out
}

// leaks returns the secrets of parties other than own that body holds, as
// written or as JSON escapes them.
func leaks(body []byte, secrets map[string][]string, own string) []string {
	var found []string
	for party, ss := range secrets {
		if party == own {
			continue
		}
		for _, s := range ss {
			if slices.Contains(secrets[own], s) {
				continue // the party's own red line says the same
			}
			esc, _ := json.Marshal(s)
			if bytes.Contains(body, []byte(s)) || bytes.Contains(body, esc[1:len(esc)-1]) {
				found = append(found, party+": "+s)
			}
		}
	}
	return found
}

// positionYAML returns the YAML of one party's entry of the example's
// positions.
func positionYAML(t testing.TB, party string) string {
	t.Helper()
	src, _ := exampleFiles(t)
	var doc struct {
		Positions []yaml.Node `yaml:"positions"`
	}
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	for _, n := range doc.Positions {
		if partyOf(&n) == party {
			b, err := yaml.Marshal(&n)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no position of %s", party)
	return ""
}

func eventsJSONL(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../monitor/testdata/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	return bytes.Join(lines[:2], nil) // the first two events, no deletion
}

// requestFor fills a route's path and body for the principal who.
func (f *fixture) requestFor(rt route, who string) (path string, body any) {
	party := "UA"
	if p, ok := strings.CutPrefix(who, "party:"); ok {
		party = p
	}
	path = strings.NewReplacer("{id}", "ukraine-2025", "{party}", party, "{n}", "0").Replace(rt.path)
	switch rt.method + " " + rt.path {
	case "PUT /api/settlements/{id}":
		var version int64
		_ = f.st.View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
			d, err := tx.Document(ctx, "ukraine-2025")
			if err == nil {
				version = d.Version
			}
			return err
		})
		src, files := exampleFiles(f.t)
		body = PutSettlement{Source: string(src), Version: version, Files: files}
	case "PUT /api/settlements/{id}/positions/{party}":
		body = PutPosition{Content: positionYAML(f.t, party)}
	case "POST /api/settlements/{id}/events":
		path += "?name=events.jsonl"
		body = eventsJSONL(f.t)
	case "POST /api/settlements/{id}/publish":
		body = PublishRequest{Kind: "deals"}
	case "POST /api/rulings":
		body = map[string]any{"ruling": "test", "by": who}
	case "GET /api/log/prove":
		path += "?index=0&size=1"
	}
	return path, body
}

// TestEndpointRoles sends every route as every role (and without a
// token): a role the route does not list gets 403, no token 401, and an
// allowed role an answer; a party's answers never hold another party's
// red lines, directly or in a derived result.
func TestEndpointRoles(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		secrets := f.secrets()
		// A leaf and a checkpoint first, so that proofs have a size to
		// prove at.
		f.ok("POST", "/api/rulings", "monitor", map[string]string{"ruling": "first"})
		f.ok("POST", "/api/log/checkpoint", "mediator", nil)
		whos := []string{"mediator", "party:UA", "party:RU", "monitor", "observer", ""}
		for _, rt := range f.srv.routes {
			for _, who := range whos {
				role, _, _ := strings.Cut(who, ":")
				t.Run(rt.method+" "+rt.path+" as "+who, func(t *testing.T) {
					path, body := f.requestFor(rt, who)
					r := f.do(rt.method, path, who, body)
					switch {
					case rt.roles == nil:
						if r.status != http.StatusOK {
							t.Fatalf("open route: status %d: %.300s", r.status, r.body)
						}
						r.json(t)
					case who == "":
						if r.status != http.StatusUnauthorized || r.errorCode(t) != "no-token" {
							t.Fatalf("no token: status %d: %.300s", r.status, r.body)
						}
					case !slices.Contains(rt.roles, role):
						if r.status != http.StatusForbidden || r.errorCode(t) != "forbidden" {
							t.Fatalf("role %s not in %v: status %d: %.300s", role, rt.roles, r.status, r.body)
						}
					default:
						if r.status != http.StatusOK {
							t.Fatalf("allowed: status %d: %.500s", r.status, r.body)
						}
						r.json(t)
					}
					if role == "party" {
						own := strings.TrimPrefix(who, "party:")
						if l := leaks(r.body, secrets, own); len(l) > 0 {
							t.Fatalf("a %s token reads other parties' red lines: %v", own, l)
						}
					}
					if role == "observer" || role == "monitor" {
						if l := leaks(r.body, secrets, ""); len(l) > 0 {
							t.Fatalf("a %s token reads positions: %v", role, l)
						}
					}
				})
			}
		}
	})
}

// TestPartyDeals checks the redaction of the deal space for a party in
// detail: its own reservation and utilities only, no bargaining values,
// other parties' red lines as "a red line of another party", its own in
// full; the counts the same as the mediator's.
func TestPartyDeals(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		var med, ua struct {
			Feasible    *string            `json:"feasible"`
			Reservation map[string]float64 `json:"reservation"`
			Best        map[string]float64 `json:"best"`
			Conflicts   [][]map[string]any `json:"conflicts"`
			Relaxations []struct {
				Drop  []map[string]any `json:"drop"`
				Opens string           `json:"opens"`
			} `json:"relaxations"`
			ConflictCount int `json:"conflict_count"`
		}
		if err := json.Unmarshal(f.ok("GET", "/api/settlements/ukraine-2025/deals", "mediator", nil).body, &med); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(f.ok("GET", "/api/settlements/ukraine-2025/deals", "party:UA", nil).body, &ua); err != nil {
			t.Fatal(err)
		}
		if *med.Feasible != "0" || *ua.Feasible != *med.Feasible || ua.ConflictCount != med.ConflictCount || len(ua.Conflicts) != len(med.Conflicts) || med.ConflictCount == 0 {
			t.Fatalf("counts differ or the example changed: mediator %v/%d, UA %v/%d", *med.Feasible, med.ConflictCount, *ua.Feasible, ua.ConflictCount)
		}
		if len(med.Reservation) < 2 || len(ua.Reservation) != 1 || ua.Reservation["UA"] != med.Reservation["UA"] {
			t.Fatalf("reservation: mediator %v, UA %v", med.Reservation, ua.Reservation)
		}
		if ua.Best != nil {
			t.Fatalf("a party reads the best utilities of all: %v", ua.Best)
		}
		own, other := 0, 0
		for i, c := range ua.Conflicts {
			for j, ref := range c {
				switch {
				case ref["party"] == "UA":
					own++
					if ref["red_line"] != med.Conflicts[i][j]["red_line"] || ref["line"] == nil {
						t.Fatalf("UA's own red line not shown in full: %v", ref)
					}
				case ref["other"] == true:
					other++
					if ref["party"] != "" || ref["red_line"] != "" || ref["rule"] != "" || ref["message"] != "a red line of another party" {
						t.Fatalf("another party's red line shows more than that it exists: %v", ref)
					}
				default:
					t.Fatalf("unredacted red line: %v", ref)
				}
			}
		}
		if own == 0 || other == 0 {
			t.Fatalf("the example's conflicts should hold UA's red lines and others': own %d, other %d", own, other)
		}
		for i, x := range ua.Relaxations {
			if x.Opens != med.Relaxations[i].Opens {
				t.Fatalf("relaxation %d opens %s for UA, %s for the mediator", i, x.Opens, med.Relaxations[i].Opens)
			}
		}
	})
}

// TestPositions: a party reads and revises its own position only; each
// revision is a log leaf holding its hash, never its content.
func TestPositions(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ua := positionYAML(t, "UA")
		revised := strings.Replace(ua, "reservation: 0.3", "reservation: 0.25", 1)
		if revised == ua {
			t.Fatal("the example's UA position has no reservation: 0.3")
		}
		var info PositionInfo
		if err := json.Unmarshal(f.ok("PUT", "/api/settlements/ukraine-2025/positions/UA", "party:UA", PutPosition{Content: revised}).body, &info); err != nil {
			t.Fatal(err)
		}
		if info.Revision != 1 || info.Party != "UA" || len(info.Hash) != 64 {
			t.Fatalf("revision: %+v", info)
		}
		if r := f.do("PUT", "/api/settlements/ukraine-2025/positions/RU", "party:UA", PutPosition{Content: positionYAML(t, "RU")}); r.status != http.StatusForbidden || r.errorCode(t) != "other-party" {
			t.Fatalf("UA revises RU's position: %d %s", r.status, r.body)
		}
		if r := f.do("GET", "/api/settlements/ukraine-2025/positions/RU", "party:UA", nil); r.status != http.StatusForbidden {
			t.Fatalf("UA reads RU's position: %d %s", r.status, r.body)
		}
		if r := f.do("PUT", "/api/settlements/ukraine-2025/positions/UA", "party:UA", PutPosition{Content: positionYAML(t, "RU")}); r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "position" {
			t.Fatalf("UA sends a position of RU as its own: %d %s", r.status, r.body)
		}
		bad := strings.Replace(revised, "territory == \"frozen_lines\"", "territory == \"nowhere\"", 1)
		if r := f.do("PUT", "/api/settlements/ukraine-2025/positions/UA", "party:UA", PutPosition{Content: bad}); r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "position-errors" {
			t.Fatalf("a position with an unknown option: %d %s", r.status, r.body)
		}
		var mine []PositionInfo
		if err := json.Unmarshal(f.ok("GET", "/api/settlements/ukraine-2025/positions", "party:UA", nil).body, &mine); err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].Party != "UA" || mine[0].Content != revised {
			t.Fatalf("UA's positions: %+v", mine)
		}
		// The mediator sees the revision in the composed settlement.
		var src SettlementSource
		if err := json.Unmarshal(f.ok("GET", "/api/settlements/ukraine-2025", "mediator", nil).body, &src); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(src.Source, "reservation: 0.25") || !strings.Contains(src.Source, "party: RU") {
			t.Fatalf("the mediator's settlement lacks the revision or RU")
		}
		var ruView SettlementSource
		if err := json.Unmarshal(f.ok("GET", "/api/settlements/ukraine-2025", "party:RU", nil).body, &ruView); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ruView.Source, "party: UA") || !strings.Contains(ruView.Source, "party: RU") {
			t.Fatalf("RU's view of the settlement holds UA's position or lacks its own")
		}
		// The log leaf: the hash, not the content.
		leaf := f.ok("GET", "/api/log/leaves/"+itoa(info.LogIndex), "observer", nil)
		if !bytes.Contains(leaf.body, []byte(info.Hash)) || bytes.Contains(leaf.body, []byte("0.25")) || bytes.Contains(leaf.body, []byte("frozen_lines")) {
			t.Fatalf("the position leaf should hold its hash only: %s", leaf.body)
		}
	})
}

// TestPublish: what observers read of a deal space is redacted of every
// position, and logged.
func TestPublish(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		secrets := f.secrets()
		var pub PublicationInfo
		if err := json.Unmarshal(f.ok("POST", "/api/settlements/ukraine-2025/publish", "mediator", PublishRequest{Kind: "deals"}).body, &pub); err != nil {
			t.Fatal(err)
		}
		if pub.LogIndex < 0 {
			t.Fatalf("not logged: %+v", pub)
		}
		r := f.ok("GET", "/api/settlements/ukraine-2025/published", "observer", nil)
		if l := leaks(r.body, secrets, ""); len(l) > 0 {
			t.Fatalf("observers read positions: %v", l)
		}
		var got []struct {
			Content struct {
				Result struct {
					Reservation map[string]float64 `json:"reservation"`
					Conflicts   [][]map[string]any `json:"conflicts"`
				} `json:"result"`
			} `json:"content"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil || len(got) != 1 {
			t.Fatalf("published: %v %s", err, r.body)
		}
		res := got[0].Content.Result
		if len(res.Reservation) != 0 || len(res.Conflicts) == 0 {
			t.Fatalf("published deals: reservation %v, %d conflicts", res.Reservation, len(res.Conflicts))
		}
		for _, c := range res.Conflicts {
			for _, ref := range c {
				if ref["other"] != true {
					t.Fatalf("a published red line is named: %v", ref)
				}
			}
		}
		if r := f.do("POST", "/api/settlements/ukraine-2025/publish", "mediator", PublishRequest{Kind: "positions"}); r.status != http.StatusBadRequest || r.errorCode(t) != "kind" {
			t.Fatalf("publish positions: %d %s", r.status, r.body)
		}
	})
}

// TestPartyFrontier: on a feasible deal space a party gets the same
// Pareto packages as the mediator, with its own utility only, ordered by
// it, and no per-vector counts (they come from every party's utilities).
func TestPartyFrontier(t *testing.T) {
	f := newFixture(t, "sqlite")
	src, err := os.ReadFile("../cmd/entente/starter/settlement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f.ok("PUT", "/api/settlements/starter-template", "mediator", PutSettlement{Source: string(src)})
	secret, _, err := CreateToken(context.Background(), f.st, store.RoleParty, "A", "A")
	if err != nil {
		t.Fatal(err)
	}
	f.tokens["party:A"] = secret
	type entry struct {
		Package  map[string]any     `json:"package"`
		Utility  map[string]float64 `json:"utility"`
		Point    int                `json:"point"`
		Packages string             `json:"packages"`
	}
	var med, a struct {
		Pareto []entry `json:"pareto"`
		Nash   struct {
			Utility map[string]float64 `json:"utility"`
			Product *float64           `json:"product"`
		} `json:"nash"`
	}
	if err := json.Unmarshal(f.ok("GET", "/api/settlements/starter-template/deals", "mediator", nil).body, &med); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(f.ok("GET", "/api/settlements/starter-template/deals", "party:A", nil).body, &a); err != nil {
		t.Fatal(err)
	}
	if len(med.Pareto) < 3 || len(a.Pareto) != len(med.Pareto) {
		t.Fatalf("frontier: mediator %d packages, A %d", len(med.Pareto), len(a.Pareto))
	}
	key := func(e entry) string { b, _ := json.Marshal(e.Package); return string(b) }
	byPackage := map[string]entry{}
	for _, e := range med.Pareto {
		byPackage[key(e)] = e
	}
	for i, e := range a.Pareto {
		m, ok := byPackage[key(e)]
		if !ok {
			t.Fatalf("A's frontier holds a package the mediator's lacks: %v", e.Package)
		}
		if len(e.Utility) != 1 || e.Utility["A"] != m.Utility["A"] || e.Packages != "" {
			t.Fatalf("A's entry %d: %+v (mediator's %+v)", i, e, m)
		}
		if i > 0 && e.Utility["A"] > a.Pareto[i-1].Utility["A"] {
			t.Fatalf("A's frontier is not ordered by A's utility at %d", i)
		}
	}
	if len(a.Nash.Utility) != 1 || a.Nash.Product != nil || med.Nash.Product == nil {
		t.Fatalf("Nash for A: %+v; for the mediator: %+v", a.Nash, med.Nash)
	}
}
