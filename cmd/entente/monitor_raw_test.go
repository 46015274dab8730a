package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCompactRaw(t *testing.T) {
	cases := []struct {
		obj    string
		values []string
		keys   []string
	}{
		{`{"id":"1","year":"2015"}`, []string{"1", "2015"}, []string{"id", "year"}},
		{`{}`, []string{}, nil},
		{` { "a" : "x\"y" , "b\\c":"\u00e9\n" } `, []string{`x"y`, "é\n"}, []string{"a", `b\c`}},
		{`{"where_description":"Дебальцеве, \"1\"","best":""}`, []string{`Дебальцеве, "1"`, ""}, []string{"where_description", "best"}},
	}
	for _, c := range cases {
		var keys []string
		got, err := compactRaw(nil, []byte(c.obj), &keys)
		if err != nil {
			t.Errorf("compactRaw(%s) = %v", c.obj, err)
			continue
		}
		var values []string
		if err := json.Unmarshal(got, &values); err != nil {
			t.Errorf("compactRaw(%s) = %s, not a JSON array: %v", c.obj, got, err)
			continue
		}
		// An independent decoding of the object, zipped, must agree.
		var obj map[string]string
		if err := json.Unmarshal([]byte(c.obj), &obj); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(values, c.values) || !reflect.DeepEqual(keys, c.keys) || len(obj) != len(values) {
			t.Errorf("compactRaw(%s) = %q with keys %q, want %q and %q", c.obj, values, keys, c.values, c.keys)
		}
		for i, k := range keys {
			if obj[k] != values[i] {
				t.Errorf("compactRaw(%s): %s = %q, the object says %q", c.obj, k, values[i], obj[k])
			}
		}
	}
	for _, bad := range []string{``, `[]`, `{"a":1}`, `{"a":"x"`, `{"a" "x"}`, `{"a":"x"}x`, `{"a":"x" "b":"y"}`} {
		if got, err := compactRaw(nil, []byte(bad), nil); err == nil {
			t.Errorf("compactRaw(%s) = %s, want an error", bad, got)
		}
	}
}

func FuzzCompactRaw(f *testing.F) {
	f.Add([]byte(`{"id":"1","year":"2015"}`))
	f.Add([]byte(`{"a":"x\"y","b":"\u00e9"}`))
	f.Fuzz(func(t *testing.T, obj []byte) {
		var valid map[string]string
		if json.Unmarshal(obj, &valid) != nil {
			compactRaw(nil, obj, nil) // must not panic
			return
		}
		var keys []string
		got, err := compactRaw(nil, obj, &keys)
		if err != nil {
			t.Fatalf("compactRaw(%q) = %v; the object is valid", obj, err)
		}
		var values []string
		if err := json.Unmarshal(got, &values); err != nil {
			t.Fatalf("compactRaw(%q) = %q, not a JSON array of strings: %v", obj, got, err)
		}
		if len(values) != len(keys) {
			t.Fatalf("compactRaw(%q): %d values, %d keys", obj, len(values), len(keys))
		}
	})
}
