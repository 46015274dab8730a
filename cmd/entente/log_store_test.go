package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/store"
)

// logBackend is a real store for the log's CLI tests, with direct SQL
// access to tamper with it.
type logBackend struct {
	name string
	db   string                                    // the --db value
	exec func(t *testing.T, q string, args ...any) // "?" placeholders
}

func logBackends(t *testing.T) []logBackend {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.entente.db")
	pg := pgtest.Schema(t, pgtest.NewDatabase(t), "logcli")
	var conn *pgx.Conn
	t.Cleanup(func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	})
	return []logBackend{
		{"sqlite", path, func(t *testing.T, q string, args ...any) {
			t.Helper()
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}},
		{"postgres", pg, func(t *testing.T, q string, args ...any) {
			t.Helper()
			ctx := context.Background()
			if conn == nil {
				var err error
				if conn, err = pgx.Connect(ctx, pg); err != nil {
					t.Fatal(err)
				}
			}
			pgtest.Exec(t, conn, q, args...)
		}},
	}
}

// TestLogStoreTamper runs the log on both real stores through the CLI, then
// tampers with the stored rows at every leaf: entente log verify exits 1
// and its JSON names the leaf.
func TestLogStoreTamper(t *testing.T) {
	keys := t.TempDir()
	wantExit(t, 0, "log", "keygen", "--name", "entente.example/cli", "--out", keys)
	key, pub := filepath.Join(keys, "entente.example_cli.key"), filepath.Join(keys, "entente.example_cli.pub")
	for _, b := range logBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := "--db=" + b.db
			const size = 8
			var leaves [][]byte
			for i := range size {
				f := writeLogFile(t, filepath.Join(t.TempDir(), "r.json"), fmt.Sprintf(`{"ruling": %d}`, i))
				wantExit(t, 0, "log", "append", db, "--kind", "ruling", "--time", "2025-08-20T12:00:00Z", f)
				if i == 3 {
					wantExit(t, 0, "log", "checkpoint", db, "--key", key)
				}
			}
			wantExit(t, 0, "log", "checkpoint", db, "--key", key)
			wantExit(t, 0, "log", "verify", db, "--key", pub)
			wantExit(t, 0, "log", "fsck", db)
			for i := range size {
				out, _ := wantExit(t, 0, "log", "show", db, fmt.Sprint(i), "--json")
				var j struct {
					Raw string `json:"leaf_base64"`
				}
				if err := json.Unmarshal([]byte(out), &j); err != nil {
					t.Fatal(err)
				}
				leaf, err := base64.StdEncoding.DecodeString(j.Raw)
				if err != nil {
					t.Fatal(err)
				}
				leaves = append(leaves, leaf)
			}
			verifyNames := func(what string, i int) {
				t.Helper()
				out, _ := wantExit(t, 1, "log", "verify", db, "--key", pub, "--json")
				var v struct {
					OK       bool
					Problems []struct{ Index int64 }
				}
				if err := json.Unmarshal([]byte(out), &v); err != nil || v.OK || len(v.Problems) == 0 || v.Problems[0].Index != int64(i) {
					t.Fatalf("%s: verify --json = %s, want the first problem at leaf %d", what, out, i)
				}
				wantExit(t, 1, "log", "fsck", db)
			}
			for i := range size {
				edited := append([]byte(nil), leaves[i]...)
				edited[len(edited)-2] ^= 1
				b.exec(t, `UPDATE log_leaves SET leaf = ? WHERE idx = ?`, edited, i)
				verifyNames(fmt.Sprintf("edit leaf %d", i), i)
				b.exec(t, `UPDATE log_leaves SET leaf = ? WHERE idx = ?`, leaves[i], i)

				b.exec(t, `UPDATE log_leaves SET idx = -1 WHERE idx = ?`, i)
				verifyNames(fmt.Sprintf("delete leaf %d", i), i)
				b.exec(t, `UPDATE log_leaves SET idx = ? WHERE idx = -1`, i)

				if i+1 < size {
					b.exec(t, `UPDATE log_leaves SET leaf = ? WHERE idx = ?`, leaves[i+1], i)
					b.exec(t, `UPDATE log_leaves SET leaf = ? WHERE idx = ?`, leaves[i], i+1)
					verifyNames(fmt.Sprintf("swap leaves %d and %d", i, i+1), i)
					b.exec(t, `UPDATE log_leaves SET leaf = ? WHERE idx = ?`, leaves[i], i)
					b.exec(t, `UPDATE log_leaves SET leaf = ? WHERE idx = ?`, leaves[i+1], i+1)
				}

				b.exec(t, `UPDATE log_leaves SET idx = idx + 1000 WHERE idx >= ?`, i)
				b.exec(t, `UPDATE log_head SET size = ? WHERE id = 1`, i)
				verifyNames(fmt.Sprintf("truncate at %d", i), i)
				b.exec(t, `UPDATE log_leaves SET idx = idx - 1000 WHERE idx >= 1000`)
				b.exec(t, `UPDATE log_head SET size = ? WHERE id = 1`, size)
			}
			wantExit(t, 0, "log", "verify", db, "--key", pub)
			// Export and verify offline; another log's key is bad input.
			exp := filepath.Join(t.TempDir(), "export")
			wantExit(t, 0, "log", "export", db, exp)
			wantExit(t, 0, "log", "verify", "--export", exp, "--key", pub)
		})
	}
}

// TestLogAppendProcesses starts several entente processes that append to
// one PostgreSQL database at once, and sign checkpoints meanwhile: the log
// comes out linear (no gap, no fork, every leaf once) and verifies.
func TestLogAppendProcesses(t *testing.T) {
	bin := buildEntente(t)
	keys := t.TempDir()
	wantExit(t, 0, "log", "keygen", "--name", "mission", "--out", keys)
	db := "--db=" + pgtest.Schema(t, pgtest.NewDatabase(t), "procs")
	const procs, runs, files = 4, 25, 20 // 4 × 25 × 20 = 2,000 leaves
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, procs*runs)
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range runs {
				args := []string{"log", "append", db, "--kind", "report"}
				for f := range files {
					name := filepath.Join(dir, fmt.Sprintf("p%d-r%d-f%d.json", p, r, f))
					if err := os.WriteFile(name, fmt.Appendf(nil, `{"process": %d, "run": %d, "file": %d}`, p, r, f), 0o644); err != nil {
						errs <- err
						return
					}
					args = append(args, name)
				}
				if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
					errs <- fmt.Errorf("process %d run %d: %v\n%s", p, r, err, out)
					return
				}
				if r%5 == 4 {
					if out, err := exec.Command(bin, "log", "checkpoint", db, "--key", filepath.Join(keys, "mission.key")).CombinedOutput(); err != nil {
						errs <- fmt.Errorf("checkpoint: %v\n%s", err, out)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantExit(t, 0, "log", "checkpoint", db, "--key", filepath.Join(keys, "mission.key"))
	out, _ := wantExit(t, 0, "log", "verify", db, "--key", filepath.Join(keys, "mission.pub"), "--json")
	var v struct {
		OK          bool
		Size        int64
		Checkpoints []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || !v.OK || v.Size != procs*runs*files || len(v.Checkpoints) < 2 {
		t.Fatalf("verify after concurrent processes: %s", out)
	}
	// Every file's leaf exactly once, and each run's files together, in
	// order.
	st, closeDB, err := openLogStorage(context.Background(), strings.TrimPrefix(db, "--db="), store.DefaultOptions(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	l, _ := ledger.New(st, ledger.DefaultOptions())
	entries, err := l.Leaves(context.Background(), 0, procs*runs*files)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < len(entries); i += files {
		var first struct{ Process, Run, File int }
		for f := range files {
			var c struct{ Process, Run, File int }
			if err := json.Unmarshal(entries[i+f].Leaf.Content, &c); err != nil {
				t.Fatal(err)
			}
			if f == 0 {
				first = c
			}
			if c.Process != first.Process || c.Run != first.Run || c.File != f {
				t.Fatalf("leaf %d is %+v: the run starting at %d (%+v) was split", i+f, c, i, first)
			}
			seen[string(entries[i+f].Leaf.Content)] = true
		}
	}
	if len(seen) != procs*runs*files {
		t.Errorf("%d distinct leaves, want %d", len(seen), procs*runs*files)
	}
}

// TestMonitorRecordsInLog: entente monitor ingest records each new batch in
// the log in the same transaction, and report records the report; the
// records carry the file's SHA-256 and the report's counts, and verify.
func TestMonitorRecordsInLog(t *testing.T) {
	ged := realFile(t, "ucdp-ged-ukraine-2014-2019.csv")
	set := copyExample(t, "minsk-2015")
	out, errs, code := run(t, "monitor", "ingest", "--settlement", set, ged, "--json")
	if code != 0 {
		t.Fatalf("monitor ingest: exit %d\n%s", code, errs)
	}
	var ing struct {
		Files []struct {
			Hash     string `json:"sha256"`
			LogIndex *int64 `json:"log_index"`
		}
	}
	if err := json.Unmarshal([]byte(out), &ing); err != nil || len(ing.Files) != 1 || ing.Files[0].LogIndex == nil || *ing.Files[0].LogIndex != 0 {
		t.Fatalf("monitor ingest --json = %s, want log_index 0", out)
	}
	out, _, code = run(t, "monitor", "report", "--settlement", set, "--json")
	var rep struct {
		Events   int64
		LogIndex *int64 `json:"log_index"`
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.LogIndex == nil || *rep.LogIndex != 1 {
		t.Fatalf("monitor report --json: exit %d, log_index %v, %v", code, rep.LogIndex, err)
	}
	// A repeated ingest stores nothing and records nothing.
	out, _, _ = run(t, "monitor", "ingest", "--settlement", set, ged, "--json")
	if strings.Contains(out, "log_index") {
		t.Errorf("a duplicate ingest was recorded: %s", out)
	}
	out, _ = wantExit(t, 0, "log", "show", "--settlement", set, "0", "--json")
	var leaf struct {
		Kind    string
		Content struct {
			Record string
			Hash   string `json:"sha256"`
		}
	}
	if err := json.Unmarshal([]byte(out), &leaf); err != nil || leaf.Kind != "batch" || leaf.Content.Record != "ingest" || leaf.Content.Hash != ing.Files[0].Hash {
		t.Errorf("log show 0 = %s, want the batch with the file's sha256 %s", out, ing.Files[0].Hash)
	}
	out, _ = wantExit(t, 0, "log", "show", "--settlement", set, "1", "--json")
	var rleaf struct {
		Kind    string
		Content struct {
			Record string
			Events int64
		}
	}
	if err := json.Unmarshal([]byte(out), &rleaf); err != nil || rleaf.Kind != "report" || rleaf.Content.Events != rep.Events {
		t.Errorf("log show 1 = %s, want the report of %d events", out, rep.Events)
	}
	keys := t.TempDir()
	wantExit(t, 0, "log", "keygen", "--name", "minsk-mission", "--out", keys)
	wantExit(t, 0, "log", "checkpoint", "--settlement", set, "--key", filepath.Join(keys, "minsk-mission.key"))
	wantExit(t, 0, "log", "verify", "--settlement", set, "--key", filepath.Join(keys, "minsk-mission.pub"))
	// A failed ingest records nothing either.
	bad := writeLogFile(t, filepath.Join(t.TempDir(), "bad.csv"), "not,a,ucdp\nfile,at,all\n")
	if _, _, code := run(t, "monitor", "ingest", "--settlement", set, bad); code == 0 {
		t.Fatalf("ingest of a bad file succeeded")
	}
	out, _ = wantExit(t, 0, "log", "show", "--settlement", set, "--json")
	if !strings.Contains(out, `"size": 2,`) {
		t.Errorf("after a failed ingest the log changed: %s", out)
	}
}
