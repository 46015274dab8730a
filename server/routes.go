package server

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/entente-org/entente/store"
)

var (
	all       = []string{store.RoleMediator, store.RoleParty, store.RoleMonitor, store.RoleObserver}
	mediator  = []string{store.RoleMediator}
	negotiate = []string{store.RoleMediator, store.RoleParty}
	monitors  = []string{store.RoleMediator, store.RoleMonitor}
	watchers  = []string{store.RoleMediator, store.RoleMonitor, store.RoleParty}
)

var (
	pID    = param{"id", "path", "the settlement's id", true}
	pParty = param{"party", "path", "a party id", true}
	pLimit = param{"limit", "query", "list at most N entries of each list (0 or absent: all)", false}
	pFrom  = param{"from", "query", "first day counted, YYYY-MM-DD", false}
	pTo    = param{"to", "query", "last day counted, YYYY-MM-DD", false}
)

// table is every route: the mux, the role checks and /openapi.json all
// come from it.
func (s *Server) table() []route {
	return []route{
		{"GET", "/healthz", nil, "200 while the process runs", nil, "", s.healthz},
		{"GET", "/readyz", nil, "200 when the store answers, else 503", nil, "", s.readyz},
		{"GET", "/openapi.json", nil, "this document", nil, "", s.openapi},
		{"GET", "/api/whoami", all, "the token's role and party", nil, "", s.whoami},
		{"GET", "/api/settlements", all, "the settlements served", nil, "", s.listSettlements},
		{"GET", "/api/settlements/{id}", negotiate, "the settlement's source as the caller may see it (a party: its own position only)", []param{pID}, "", s.getSettlement},
		{"PUT", "/api/settlements/{id}", mediator, "store a new version of a settlement (version: the one read, 0 to create)", []param{pID}, "PutSettlement", s.putSettlement},
		{"GET", "/api/settlements/{id}/check", negotiate, "entente check --json (a party: of the settlement as it sees it)", []param{pID}, "", s.check},
		{"GET", "/api/settlements/{id}/deals", negotiate, "entente deals --json (redacted for a party)", []param{pID, pLimit}, "", s.deals},
		{"GET", "/api/settlements/{id}/guarantees", all, "entente guarantee --json", []param{pID, pLimit}, "", s.guarantees},
		{"GET", "/api/settlements/{id}/positions", negotiate, "the latest revision of each position the caller may read", []param{pID}, "", s.positions},
		{"GET", "/api/settlements/{id}/positions/{party}", negotiate, "every revision of a party's position (the mediator, or that party)", []param{pID, pParty}, "", s.positionHistory},
		{"PUT", "/api/settlements/{id}/positions/{party}", negotiate, "revise a party's position (the mediator, or that party); logged by its hash only", []param{pID, pParty}, "PutPosition", s.putPosition},
		{"POST", "/api/settlements/{id}/events", monitors, "ingest an event file (the body: UCDP GED CSV, ACLED CSV or JSON lines), all or nothing", []param{pID,
			{"name", "query", "the file's name, for the batch and its log record", false},
			{"full", "query", "true: a full release (stored events it lacks are deleted)", false},
			{"scope_from", "query", "with full: the first day the release covers", false},
			{"scope_to", "query", "with full: the last day the release covers", false}}, "binary", s.ingest},
		{"GET", "/api/settlements/{id}/report", watchers, "entente monitor report --json (not logged)", []param{pID, pFrom, pTo, pLimit}, "", s.report},
		{"POST", "/api/settlements/{id}/report", monitors, "entente monitor report --json, recorded in the log", []param{pID, pFrom, pTo, pLimit}, "", s.report},
		{"GET", "/api/settlements/{id}/events", watchers, "the stored events within from and to, classified under the settlement", []param{pID, pFrom, pTo, pLimit}, "", s.events},
		{"GET", "/api/settlements/{id}/zones", all, "the monitoring zones and line as GeoJSON", []param{pID}, "", s.zones},
		{"POST", "/api/settlements/{id}/publish", mediator, "publish a result for observers (deals redacted of every position), stored and logged", []param{pID}, "PublishRequest", s.publish},
		{"GET", "/api/settlements/{id}/published", all, "the published results, oldest first", []param{pID}, "", s.published},
		{"POST", "/api/rulings", monitors, "append a ruling (any JSON document) to the log", nil, "object", s.ruling},
		{"GET", "/api/log", all, "entente log show --json", []param{pLimit}, "", s.logStatus},
		{"GET", "/api/log/leaves/{n}", all, "leaf n in full", []param{{"n", "path", "the leaf index", true}}, "", s.logLeaf},
		{"GET", "/api/log/checkpoints", all, "the stored signed checkpoints", nil, "", s.logCheckpoints},
		{"POST", "/api/log/checkpoint", mediator, "sign a checkpoint of the log's current size", nil, "", s.logCheckpoint},
		{"GET", "/api/log/prove", all, "an inclusion (index) or consistency (old) proof", []param{
			{"index", "query", "the leaf to prove", false}, {"old", "query", "the older tree size to prove consistency from", false},
			{"size", "query", "the tree size (default: the latest checkpoint's)", false}}, "", s.logProve},
		{"GET", "/api/log/verify", all, "entente log verify --json with the server's log key", nil, "", s.logVerify},
		{"GET", "/api/log/key", all, "the log's public key", nil, "", s.logKey},
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) *Error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) *Error {
	err := s.store.View(r.Context(), func(ctx context.Context, tx store.ReadTx) error {
		_, err := tx.SchemaVersion(ctx)
		return err
	})
	if err != nil {
		s.logger.Warn("not ready", "err", err)
		return errorf(http.StatusServiceUnavailable, "store", "the store does not answer")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// openapi writes the OpenAPI 3.1 document of the route table.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) *Error {
	writeJSON(w, http.StatusOK, s.OpenAPI())
	return nil
}

// OpenAPI returns the OpenAPI 3.1 document of every route.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": strings.ToLower(rt.method) + strings.ReplaceAll(pathParam.ReplaceAllString(rt.path, "by-$1"), "/", "_"),
			"responses": map[string]any{
				"200":     map[string]any{"description": "the result", "content": map[string]any{"application/json": map[string]any{}}},
				"default": map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
			},
		}
		if rt.roles != nil {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["x-roles"] = rt.roles
		}
		var ps []any
		for _, p := range rt.params {
			ps = append(ps, map[string]any{"name": p.name, "in": p.in, "description": p.desc, "required": p.required, "schema": map[string]any{"type": "string"}})
		}
		if ps != nil {
			op["parameters"] = ps
		}
		switch rt.body {
		case "":
		case "binary":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		case "object":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		default:
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + rt.body}}}}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	str := map[string]any{"type": "string"}
	obj := func(props map[string]any, required ...string) map[string]any {
		return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "entente", "version": "1", "description": "The API of entente serve (docs/server.md). Result keys are those of the CLI's --json (DESIGN.md)."},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "a token from entente token create"}},
			"schemas": map[string]any{
				"Error": obj(map[string]any{"error": obj(map[string]any{"status": map[string]any{"type": "integer"}, "code": str, "message": str, "details": map[string]any{}}, "status", "code", "message")}, "error"),
				"PutSettlement": obj(map[string]any{"source": str, "version": map[string]any{"type": "integer"},
					"files": map[string]any{"type": "object", "additionalProperties": str}}, "source", "version"),
				"PutPosition":    obj(map[string]any{"content": str}, "content"),
				"PublishRequest": obj(map[string]any{"kind": map[string]any{"enum": []string{"deals", "guarantees", "report"}}}, "kind"),
			},
		},
	}
}
