package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Error is an API error: an HTTP status, a stable code and a message
// that says what would be valid. It is written as
// {"error": {"status": N, "code": "...", "message": "..."}}.
type Error struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Details holds what more there is to say: check findings, say.
	Details any `json:"details,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeEncoded(w, status, encodeJSON(v))
}

// encodeJSON encodes v as the API writes it: indented as the CLI's
// --json, HTML characters as they are.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only unencodable values (NaN, channels) fail: a bug, reported
		// as such rather than as a half-written body.
		return []byte(`{"error": {"status": 500, "code": "internal", "message": "the result cannot be encoded"}}` + "\n")
	}
	return b.Bytes()
}

// writeEncoded writes a body encodeJSON made.
func writeEncoded(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, struct {
		Error *Error `json:"error"`
	}{e})
}

// decode reads one JSON object of type T from the body, at most limit
// bytes, refusing unknown fields and trailing data.
func decode[T any](w http.ResponseWriter, r *http.Request, limit int64) (T, *Error) {
	var v T
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return v, errorf(http.StatusUnsupportedMediaType, "content-type", "send the body as application/json, not %q", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return v, errorf(http.StatusRequestEntityTooLarge, "too-large", "the body exceeds %d bytes", limit)
		}
		return v, errorf(http.StatusBadRequest, "body", "reading the body: %v", err)
	}
	if err := decodeJSON(body, &v); err != nil {
		return v, err
	}
	return v, nil
}

// decodeJSON decodes body strictly into v; errors name the offset, the
// field and what is valid.
func decodeJSON(body []byte, v any) *Error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return errorf(http.StatusBadRequest, "json", "the body is empty; send a JSON object")
		case errors.As(err, &se):
			return errorf(http.StatusBadRequest, "json", "malformed JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return errorf(http.StatusBadRequest, "json", "field %q at byte %d: want %s, not a JSON %s", te.Field, te.Offset, te.Type, te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return errorf(http.StatusBadRequest, "unknown-field", "%s; see /openapi.json for the fields", strings.TrimPrefix(err.Error(), "json: "))
		}
		return errorf(http.StatusBadRequest, "json", "malformed JSON: %v", err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "json", "trailing data after the JSON object at byte %d", dec.InputOffset())
	}
	return nil
}
