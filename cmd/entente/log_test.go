package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/store"
)

// memoryStores stands in for --db in these tests: each name is an
// in-memory log (the database backends have their own suite).
func memoryStores(t *testing.T) {
	t.Helper()
	var mu sync.Mutex
	logs := map[string]*ledger.Memory{}
	saved := openLogStorage
	openLogStorage = func(_ context.Context, db string, _ store.Options, _ bool) (ledger.Storage, func() error, error) {
		mu.Lock()
		defer mu.Unlock()
		if logs[db] == nil {
			logs[db] = &ledger.Memory{}
		}
		return logs[db], func() error { return nil }, nil
	}
	t.Cleanup(func() { openLogStorage = saved })
}

func writeLogFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func wantExit(t *testing.T, code int, args ...string) (string, string) {
	t.Helper()
	out, errb, got := run(t, args...)
	if got != code {
		t.Fatalf("entente %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, out, errb)
	}
	return out, errb
}

func TestLogKeygen(t *testing.T) {
	dir := t.TempDir()
	out, _ := wantExit(t, 0, "log", "keygen", "--name", "entente.example/ukraine-2025", "--out", dir)
	key := filepath.Join(dir, "entente.example_ukraine-2025.key")
	pub := filepath.Join(dir, "entente.example_ukraine-2025.pub")
	fi, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(out, "entente.example/ukraine-2025+") {
		t.Errorf("keygen output lacks the verifier key:\n%s", out)
	}
	before, _ := os.ReadFile(key)
	_, errb := wantExit(t, 2, "log", "keygen", "--name", "entente.example/ukraine-2025", "--out", dir)
	if !strings.Contains(errb, "never overwritten") {
		t.Errorf("second keygen: %s, want a refusal", errb)
	}
	if after, _ := os.ReadFile(key); string(after) != string(before) {
		t.Errorf("keygen overwrote the key")
	}
	if _, err := ledger.ReadVerifier(pub); err != nil {
		t.Errorf("the .pub file is not a verifier key: %v", err)
	}
	wantExit(t, 2, "log", "keygen", "--name", "bad name", "--out", dir)
	wantExit(t, 2, "log", "keygen", "--out", dir)
}

// TestLogWorkflow runs the whole life of a log through the CLI: keys,
// appends, checkpoints, show, proofs, export, offline verify, cosigning.
func TestLogWorkflow(t *testing.T) {
	memoryStores(t)
	dir := t.TempDir()
	db := "--db=" + filepath.Join(dir, "log.db")
	wantExit(t, 0, "log", "keygen", "--name", "mission", "--out", dir)
	wantExit(t, 0, "log", "keygen", "--name", "UA", "--out", dir)
	wantExit(t, 0, "log", "keygen", "--name", "RU", "--out", dir)
	logKey, logPub := filepath.Join(dir, "mission.key"), filepath.Join(dir, "mission.pub")

	r1 := writeLogFile(t, filepath.Join(dir, "r1.json"), `{"ruling": "violation", "event": "ucdp-1", "side": "RU"}`)
	r2 := writeLogFile(t, filepath.Join(dir, "r2.json"), `{"ruling": "no violation", "event": "ucdp-2"}`)
	bad := writeLogFile(t, filepath.Join(dir, "bad.json"), "{\"ruling\":\n  \"violation\",}")

	out, _ := wantExit(t, 0, "log", "append", db, "--kind", "ruling", "--time", "2025-08-20T12:00:00Z", r1, "--json")
	var app struct {
		First  int64
		Size   int64
		Leaves []struct {
			Index         int64
			ContentSHA256 string `json:"content_sha256"`
		}
	}
	if err := json.Unmarshal([]byte(out), &app); err != nil || app.First != 0 || app.Size != 1 {
		t.Fatalf("append --json = %s (%v)", out, err)
	}
	// A leaf that is not JSON: exit 2, position named, nothing appended.
	_, errb := wantExit(t, 2, "log", "append", db, "--kind", "ruling", r2, bad)
	if !strings.Contains(errb, "bad.json") || !strings.Contains(errb, "line 2, column") {
		t.Errorf("append bad.json: %s, want file, line and column", errb)
	}
	wantExit(t, 2, "log", "append", db, "--kind", "verdict", r2)
	out, _ = wantExit(t, 0, "log", "show", db, "--json")
	if !strings.Contains(out, `"size": 1`) {
		t.Errorf("after a failed append the log changed:\n%s", out)
	}
	wantExit(t, 0, "log", "checkpoint", db, "--key", logKey)
	for range 3 {
		wantExit(t, 0, "log", "append", db, "--kind", "report", r2)
	}
	out, _ = wantExit(t, 0, "log", "checkpoint", db, "--key", logKey, "--json")
	if !strings.Contains(out, `"size": 4`) || !strings.Contains(out, `"origin": "mission"`) {
		t.Errorf("checkpoint --json = %s", out)
	}
	// Signing needs the private key; the public one is the wrong format.
	wantExit(t, 2, "log", "checkpoint", db, "--key", logPub)

	out, _ = wantExit(t, 0, "log", "show", db, "0")
	if !strings.Contains(out, "kind: ruling") || !strings.Contains(out, `"event": "ucdp-1"`) {
		t.Errorf("show 0 = %s", out)
	}
	out, _ = wantExit(t, 0, "log", "prove", db, "2", "--json")
	var proof struct {
		Index, Size int64
		Proof       []string
		Checkpoint  string
	}
	if err := json.Unmarshal([]byte(out), &proof); err != nil || proof.Size != 4 || len(proof.Proof) != 2 || !strings.Contains(proof.Checkpoint, "mission\n4\n") {
		t.Errorf("prove 2 --json = %s", out)
	}
	_, errb = wantExit(t, 2, "log", "prove", db, "4")
	if !strings.Contains(errb, "leaf 4 is not in a tree of 4 leaves") {
		t.Errorf("prove 4: %s", errb)
	}
	wantExit(t, 0, "log", "prove", db, "--old", "1")

	exp := filepath.Join(dir, "export")
	wantExit(t, 0, "log", "export", db, exp)
	out, _ = wantExit(t, 0, "log", "verify", "--export", exp, "--key", logPub, "--json")
	var v struct {
		OK       bool
		Size     int64
		Root     string
		Problems []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || !v.OK || v.Size != 4 || v.Root == "" || v.Problems == nil || len(v.Problems) != 0 {
		t.Errorf("verify --export --json = %s", out)
	}
	wantExit(t, 0, "log", "verify", db, "--key", logPub)
	wantExit(t, 0, "log", "fsck", db)

	// Both parties cosign: UA the export in place, RU through the store;
	// then the latest checkpoint is one record both signed.
	ua, ru := filepath.Join(dir, "UA.key"), filepath.Join(dir, "RU.key")
	wantExit(t, 0, "log", "cosign", "--key", ua, "--log-key", logPub, "--export", exp)
	out, _ = wantExit(t, 0, "log", "verify", "--export", exp, "--key", logPub, "--cosigner", filepath.Join(dir, "UA.pub"), "--json")
	if !strings.Contains(out, `"cosigners": [
        "UA"
      ]`) {
		t.Errorf("the export's latest checkpoint is not cosigned by UA:\n%s", out)
	}
	wantExit(t, 0, "log", "cosign", db, "--key", ru, "--log-key", logPub)
	wantExit(t, 0, "log", "cosign", db, "--key", ua, "--log-key", logPub)
	out, _ = wantExit(t, 0, "log", "verify", db, "--key", logPub, "--cosigner", filepath.Join(dir, "UA.pub"), "--cosigner", filepath.Join(dir, "RU.pub"), "--require-cosigners", "--json")
	if !strings.Contains(out, `"agreed": {`) {
		t.Errorf("no agreed checkpoint after both cosigned:\n%s", out)
	}

	// Tampering with the export: exit 1 and the index named.
	bundle := filepath.Join(exp, "tile", "entries", "000.p", "4")
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-3] ^= 1 // a byte of leaf 3's content
	if err := os.WriteFile(bundle, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errb = wantExit(t, 1, "log", "verify", "--export", exp, "--key", logPub)
	if !strings.Contains(errb, "leaf 3") || !strings.Contains(out, "FAILED") {
		t.Errorf("verify of a tampered export:\nstdout %s\nstderr %s", out, errb)
	}
	out, _ = wantExit(t, 1, "log", "verify", "--export", exp, "--key", logPub, "--json")
	if !strings.Contains(out, `"ok": false`) || !strings.Contains(out, `"index": 3`) {
		t.Errorf("verify --json of a tampered export:\n%s", out)
	}
	// Cosigning refuses an export that does not verify.
	wantExit(t, 1, "log", "cosign", "--key", ru, "--log-key", logPub, "--export", exp)
}

func TestLogBadInput(t *testing.T) {
	memoryStores(t)
	dir := t.TempDir()
	wantExit(t, 0, "log", "keygen", "--name", "mission", "--out", dir)
	wantExit(t, 0, "log", "keygen", "--name", "other", "--out", dir)
	logPub := filepath.Join(dir, "mission.pub")
	// A public key in the wrong format.
	garbage := writeLogFile(t, filepath.Join(dir, "garbage.pub"), "not a key\n")
	_, errb := wantExit(t, 2, "log", "verify", "--export", dir, "--key", garbage)
	if !strings.Contains(errb, "garbage.pub") || !strings.Contains(errb, "verifier key") {
		t.Errorf("verify with a garbage key: %s", errb)
	}
	// The private key where the public one belongs.
	_, errb = wantExit(t, 2, "log", "verify", "--export", dir, "--key", filepath.Join(dir, "mission.key"))
	if !strings.Contains(errb, "private key") {
		t.Errorf("verify with the private key: %s", errb)
	}
	// A directory that is not an export.
	_, errb = wantExit(t, 2, "log", "verify", "--export", dir, "--key", logPub)
	if !strings.Contains(errb, "not a log export") {
		t.Errorf("verify of a non-export: %s", errb)
	}
	wantExit(t, 2, "log", "verify", "--export", filepath.Join(dir, "nope"), "--key", logPub)
	// A checkpoint of another log.
	db := "--db=x"
	writeLogFile(t, filepath.Join(dir, "r.json"), `{}`)
	wantExit(t, 0, "log", "append", db, "--kind", "batch", filepath.Join(dir, "r.json"))
	out, _ := wantExit(t, 0, "log", "checkpoint", db, "--key", filepath.Join(dir, "other.key"))
	foreign := writeLogFile(t, filepath.Join(dir, "foreign.cp"), out)
	_, errb = wantExit(t, 2, "log", "cosign", "--key", filepath.Join(dir, "other.key"), "--log-key", logPub, foreign)
	if !strings.Contains(errb, "another log") {
		t.Errorf("cosign of another log's checkpoint: %s", errb)
	}
	// The log is now "other"'s: mission's key cannot sign it.
	_, errb = wantExit(t, 2, "log", "checkpoint", db, "--key", filepath.Join(dir, "mission.key"))
	if !strings.Contains(errb, "another log") {
		t.Errorf("checkpoint with another log's key: %s", errb)
	}
	// Usage.
	wantExit(t, 2, "log")
	wantExit(t, 2, "log", "frobnicate")
	wantExit(t, 2, "log", "prove", db)
	wantExit(t, 2, "log", "cosign", "--key", "a", "--log-key", "b")
	wantExit(t, 0, "log", "--help")
	out, _ = wantExit(t, 0, "log", "show", db, "--json")
	if !strings.Contains(out, `"size": 1`) {
		t.Errorf("show = %s", out)
	}
	_ = fmt.Sprint()
}
