package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitWritesACheckedSettlement runs init in a new directory and checks
// the result: no error and no warning, even under --strict.
func TestInitWritesACheckedSettlement(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "settlement")
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"init", dir}, &out, &errb)
	if code := exitCode(err, io.Discard); code != 0 {
		t.Fatalf("init: exit %d: %v\nstderr: %s", code, err, errb.String())
	}
	path := filepath.Join(dir, "settlement.yaml")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, starterSettlement) {
		t.Error("init wrote something else than the starter")
	}
	if !strings.Contains(string(got), "TEMPLATE") {
		t.Error("the starter is not marked as a template")
	}
	for _, want := range []string{path, "entente check " + path} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("init output %q lacks %q", out.String(), want)
		}
	}

	out.Reset()
	err = Run(context.Background(), []string{"check", path, "--strict", "--json"}, &out, &errb)
	if code := exitCode(err, io.Discard); code != 0 {
		t.Fatalf("check --strict of the starter: exit %d\n%s", code, out.String())
	}
	var res struct {
		OK       bool              `json:"ok"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("check --json: %v\n%s", err, out.String())
	}
	if !res.OK || len(res.Findings) != 0 {
		t.Errorf("check of the starter: %s", out.String())
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settlement.yaml")
	if err := os.WriteFile(path, []byte("entente: 1\nid: mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"init", dir}, &out, &errb)
	if code := exitCode(err, io.Discard); code != 2 {
		t.Fatalf("init over an existing file: exit %d, want 2 (%v)", code, err)
	}
	if !strings.Contains(err.Error(), "--force") {
		t.Errorf("error %q does not mention --force", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "entente: 1\nid: mine\n" {
		t.Fatalf("init changed the existing file: %q", got)
	}

	// --force overwrites, before or after the directory.
	for _, args := range [][]string{{"init", "--force", dir}, {"init", dir, "--force"}} {
		err = Run(context.Background(), args, &out, &errb)
		if code := exitCode(err, io.Discard); code != 0 {
			t.Fatalf("%v: exit %d: %v", args, code, err)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, starterSettlement) {
			t.Fatalf("%v did not write the starter", args)
		}
	}
}

func TestInitTwice(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	var out, errb bytes.Buffer
	if code := exitCode(Run(context.Background(), []string{"init", dir}, &out, &errb), io.Discard); code != 0 {
		t.Fatalf("first init: exit %d", code)
	}
	if code := exitCode(Run(context.Background(), []string{"init", dir}, &out, &errb), io.Discard); code != 2 {
		t.Fatalf("second init without --force: exit %d, want 2", code)
	}
}

func TestInitDefaultDir(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errb bytes.Buffer
	if code := exitCode(Run(context.Background(), []string{"init"}, &out, &errb), io.Discard); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat("settlement.yaml"); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(Run(context.Background(), []string{"check", "settlement.yaml"}, &out, &errb), io.Discard); code != 0 {
		t.Fatalf("check: exit %d\n%s", code, out.String())
	}
}

func TestInitUsage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", dir, dir},       // two directories
		{"init", file},           // a file, not a directory
		{"init", "--bogus", dir}, // an unknown flag
	} {
		var out, errb bytes.Buffer
		if code := exitCode(Run(context.Background(), args, &out, &errb), io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	var out, errb bytes.Buffer
	if code := exitCode(Run(context.Background(), []string{"init", "--help"}, &out, &errb), io.Discard); code != 0 {
		t.Errorf("init --help: exit %d", code)
	}
	if !strings.Contains(errb.String(), "--force") && !strings.Contains(errb.String(), "-force") {
		t.Errorf("init --help does not document --force: %s", errb.String())
	}
}
