package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// compactRaw turns a CSV record as monitor gives it, a JSON object of
// string values in the file's column order ({"id":"1","year":"2015"}),
// into the JSON array of its values (["1","2015"]), appended to dst. The
// store keeps the column names once per batch (store.NewBatch.Columns),
// which halves what a UCDP row costs to store. keys, when not nil, gets
// the object's keys in order (callers ask for them on the first record).
func compactRaw(dst, obj []byte, keys *[]string) ([]byte, error) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, errors.New("raw record is not a JSON object")
	}
	i++
	dst = append(dst, '[')
	first := true
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) {
			return nil, errors.New("raw record: unterminated object")
		}
		if obj[i] == '}' {
			if j := skipSpace(obj, i+1); j != len(obj) {
				return nil, fmt.Errorf("raw record: text after the object at byte %d", j)
			}
			return append(dst, ']'), nil
		}
		if !first {
			if obj[i] != ',' {
				return nil, fmt.Errorf("raw record: want , at byte %d", i)
			}
			i = skipSpace(obj, i+1)
		}
		k, j, err := jsonString(obj, i)
		if err != nil {
			return nil, err
		}
		if keys != nil {
			var key string
			if err := json.Unmarshal(obj[k:j], &key); err != nil {
				return nil, fmt.Errorf("raw record: key at byte %d: %w", k, err)
			}
			*keys = append(*keys, key)
		}
		i = skipSpace(obj, j)
		if i >= len(obj) || obj[i] != ':' {
			return nil, fmt.Errorf("raw record: want : at byte %d", i)
		}
		i = skipSpace(obj, i+1)
		v, j, err := jsonString(obj, i)
		if err != nil {
			return nil, err
		}
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, obj[v:j]...)
		i, first = j, false
	}
}

// jsonString returns the bounds of the JSON string starting at i, quotes
// included.
func jsonString(b []byte, i int) (start, end int, err error) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, fmt.Errorf("raw record: want a string at byte %d", i)
	}
	for j := i + 1; j < len(b); {
		k := bytes.IndexAny(b[j:], `"\`)
		if k < 0 {
			break
		}
		j += k
		if b[j] == '"' {
			return i, j + 1, nil
		}
		j += 2 // an escape: skip the escaped byte
	}
	return 0, 0, fmt.Errorf("raw record: unterminated string at byte %d", i)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
