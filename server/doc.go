// Package server is entente's shared server (entente serve): a JSON API
// for every verb of the CLI, party confidentiality by bearer token and
// role, the web UI's assets, and the operations endpoints (health,
// readiness, Prometheus metrics), over one store (SQLite or PostgreSQL).
//
// Data flows one way: a request names a settlement; the server composes
// it from the mediator's document and the parties' latest positions
// (package store), runs the engines (check, dealspace, guarantee,
// mission, ledger) and marshals their own result types unchanged, after
// redacting, for a party, whatever another party's position would
// reveal. docs/server.md lists the routes and roles; GET /openapi.json
// documents them, generated from the same route table.
package server
