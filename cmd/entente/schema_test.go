package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/entente-org/entente/settlement"
)

func TestSchemaCommand(t *testing.T) {
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"schema"}, &out, &errb)
	if code := exitCode(err, io.Discard); code != 0 {
		t.Fatalf("schema: exit %d: %v", code, err)
	}
	if !json.Valid(out.Bytes()) {
		t.Fatal("entente schema does not print valid JSON")
	}
	file, err := os.ReadFile("../../settlement/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), file) || !bytes.Equal(out.Bytes(), settlement.Schema()) {
		t.Error("entente schema prints something else than settlement/schema.json")
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("not a draft 2020-12 schema: %v", err)
	}
	if code := exitCode(Run(context.Background(), []string{"schema", "extra"}, &out, &errb), io.Discard); code != 2 {
		t.Errorf("schema with an argument: exit %d, want 2", code)
	}
}
