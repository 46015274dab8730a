package settlement

import _ "embed"

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema of the settlement file (draft 2020-12).
//
// Editors use it to complete keys and show their descriptions; the loader
// does not read it. The returned slice is a fresh copy.
func Schema() []byte {
	return append([]byte(nil), schemaJSON...)
}
