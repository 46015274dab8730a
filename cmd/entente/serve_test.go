package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/examples"
	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/server"
	"github.com/entente-org/entente/store"
)

// serveProc is a running `entente serve` subprocess.
type serveProc struct {
	t        *testing.T
	cmd      *exec.Cmd
	out, err string // the files its stdout and stderr go to
	url      string
	done     chan struct{}
	waitErr  error
}

var serveURL = regexp.MustCompile(`entente serve: (http://\S+) `)

// startServe starts `entente serve` with args (plus --addr 127.0.0.1:0
// and --quiet) and returns once it listens. The process is killed when
// the test ends, if it still runs.
func startServe(t *testing.T, bin string, args ...string) *serveProc {
	t.Helper()
	p, err := launchServe(t, bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// launchServe is startServe for any goroutine: it returns its failure.
func launchServe(t *testing.T, bin string, args ...string) (*serveProc, error) {
	dir := t.TempDir()
	p := &serveProc{t: t, out: filepath.Join(dir, "stdout"), err: filepath.Join(dir, "stderr"), done: make(chan struct{})}
	stdout, err := os.Create(p.out)
	if err != nil {
		return nil, err
	}
	stderr, err := os.Create(p.err)
	if err != nil {
		return nil, err
	}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--quiet"}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = stdout, stderr
	err = p.cmd.Start()
	stdout.Close()
	stderr.Close()
	if err != nil {
		return nil, err
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for p.url == "" {
		if m := serveURL.FindStringSubmatch(p.stdout()); m != nil {
			p.url = m[1]
			break
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("entente serve %s exited before listening: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.waitErr, p.stdout(), p.stderr())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("entente serve %s does not listen after 30 s\nstderr:\n%s", strings.Join(args, " "), p.stderr())
		}
	}
	// Everything serve prints before it serves (the token) is in the
	// file once it answers.
	code, body, err := request(http.DefaultClient, http.MethodGet, p.url+"/healthz", "", nil)
	if err != nil || code != http.StatusOK {
		return nil, fmt.Errorf("GET /healthz: %d %s %v", code, body, err)
	}
	return p, nil
}

func (p *serveProc) stdout() string { b, _ := os.ReadFile(p.out); return string(b) }
func (p *serveProc) stderr() string { b, _ := os.ReadFile(p.err); return string(b) }

var printedToken = regexp.MustCompile(`(?m)^  (` + server.TokenPrefix + `\S+)$`)

// token returns the mediator token the server printed, or "".
func (p *serveProc) token() string {
	if m := printedToken.FindStringSubmatch(p.stdout()); m != nil {
		return m[1]
	}
	return ""
}

// stop sends SIGTERM and waits for the process: it must exit 0 saying it
// stopped.
func (p *serveProc) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("entente serve still runs 30 s after SIGTERM")
	}
	if p.waitErr != nil {
		p.t.Fatalf("entente serve after SIGTERM: %v\nstderr:\n%s", p.waitErr, p.stderr())
	}
	if !strings.Contains(p.stdout(), "entente serve: stopped\n") {
		p.t.Fatalf("entente serve did not say it stopped:\n%s", p.stdout())
	}
}

// do sends one request with a bearer token (none if ""), a JSON body
// (none if nil) and returns the status and the body.
func (p *serveProc) do(method, path, token string, body any) (int, []byte) {
	p.t.Helper()
	code, b, err := request(http.DefaultClient, method, p.url+path, token, body)
	if err != nil {
		p.t.Fatal(err)
	}
	return code, b
}

func request(c *http.Client, method, url, token string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// getJSON GETs path with token, wants 200 and decodes the body into v.
func (p *serveProc) getJSON(path, token string, v any) {
	p.t.Helper()
	code, body := p.do(http.MethodGet, path, token, nil)
	if code != http.StatusOK {
		p.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		p.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

func (p *serveProc) whoami(token string) (int, server.Principal) {
	p.t.Helper()
	code, body := p.do(http.MethodGet, "/api/whoami", token, nil)
	var who server.Principal
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &who); err != nil {
			p.t.Fatal(err)
		}
	}
	return code, who
}

// TestServeFirstStart: the first start on an empty SQLite store seeds
// ukraine-2025 and prints a mediator token that works; a second start on
// the same data directory seeds nothing and prints no token; SIGTERM stops
// both gracefully.
func TestServeFirstStart(t *testing.T) {
	bin := buildEntente(t)
	data := t.TempDir()
	p := startServe(t, bin, "--data", data)
	tok := p.token()
	if tok == "" {
		t.Fatalf("no mediator token printed on first start:\n%s", p.stdout())
	}
	if b, err := os.ReadFile(filepath.Join(data, "mediator.token")); err != nil || strings.TrimSpace(string(b)) != tok {
		t.Errorf("mediator.token holds %q (%v), want the printed token", b, err)
	}
	if code, who := p.whoami(tok); code != http.StatusOK || who.Role != store.RoleMediator || who.Party != "" {
		t.Errorf("whoami with the printed token: %d %+v", code, who)
	}
	if code, _ := p.whoami(""); code != http.StatusUnauthorized {
		t.Errorf("whoami without a token: %d, want 401", code)
	}
	var list []server.SettlementInfo
	p.getJSON("/api/settlements", tok, &list)
	if len(list) != 1 || list[0].ID != "ukraine-2025" || list[0].Version != 1 || len(list[0].Parties) != 6 {
		t.Fatalf("settlements after the first start: %+v", list)
	}
	p.stop()

	q := startServe(t, bin, "--data", data)
	if strings.Contains(q.stdout(), "mediator token") || q.token() != "" {
		t.Errorf("the second start printed a token:\n%s", q.stdout())
	}
	if code, _ := q.whoami(tok); code != http.StatusOK {
		t.Errorf("the first start's token after a restart: %d", code)
	}
	q.getJSON("/api/settlements", tok, &list)
	if len(list) != 1 || list[0].Version != 1 {
		t.Errorf("settlements after the second start (seeded again?): %+v", list)
	}
	st, err := openStore(context.Background(), filepath.Join(data, "entente.db"), store.DefaultOptions(), true)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []store.Token
	err = st.View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
		tokens, err = tx.Tokens(ctx)
		return err
	})
	st.Close()
	if err != nil || len(tokens) != 1 {
		t.Errorf("tokens after two starts: %+v (%v), want the one mediator token", tokens, err)
	}
	q.stop()
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTokenCommands: entente token create, list and revoke round trip
// against a server running in this process (stopped by cancelling its
// context); bad usage exits 2 saying what is wrong; a revoked token gets
// 401 at once.
func TestTokenCommands(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	served := make(chan error, 1)
	go func() {
		served <- Run(ctx, []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--quiet"}, &out, &errb)
	}()
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == ""; {
		if m := serveURL.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve does not listen:\n%s\n%s", out.String(), errb.String())
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	p := &serveProc{t: t, url: url}

	create := func(args ...string) tokenInfo {
		t.Helper()
		o, _ := wantExit(t, 0, append([]string{"token", "create", "--data", data, "--json"}, args...)...)
		var info tokenInfo
		if err := json.Unmarshal([]byte(o), &info); err != nil || !strings.HasPrefix(info.Secret, server.TokenPrefix) {
			t.Fatalf("token create %v: %v\n%s", args, err, o)
		}
		return info
	}
	ua := create("--role", "party", "--party", "UA", "--label", "Ukraine's delegation")
	mon := create("--role", "monitor")
	if ua.Role != store.RoleParty || ua.Party != "UA" || ua.Label != "Ukraine's delegation" || ua.Revoked || mon.Role != store.RoleMonitor || mon.ID == ua.ID {
		t.Errorf("created %+v and %+v", ua, mon)
	}
	o, _ := wantExit(t, 0, "token", "create", "--data", data, "--role", "observer")
	if !regexp.MustCompile(`(?m)^token \d+ \(observer\), shown once:\n` + server.TokenPrefix + `\S+\n$`).MatchString(o) {
		t.Errorf("token create, text:\n%s", o)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--role", "party"}, "--party goes with --role party"},
		{[]string{"--role", "mediator", "--party", "UA"}, "--party goes with --role party"},
		{[]string{"--role", "admin"}, `role "admin" is not mediator, party, monitor or observer`},
		{[]string{}, "give --role mediator|party|monitor|observer"},
		{[]string{"--role", "monitor", "extra"}, "give --role"},
	} {
		_, e := wantExit(t, 2, append([]string{"token", "create", "--data", data}, c.args...)...)
		if !strings.Contains(e, c.want) {
			t.Errorf("token create %v: stderr %q lacks %q", c.args, e, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"token"}, "name a command: create, list or revoke"},
		{[]string{"token", "make"}, `unknown command "make"`},
		{[]string{"token", "revoke", "--data", data}, "give one token id"},
		{[]string{"token", "revoke", "--data", data, "x1"}, `"x1" is not a token id`},
		{[]string{"token", "list", "--data", data, "extra"}, "takes no arguments"},
	} {
		_, e := wantExit(t, 2, c.args...)
		if !strings.Contains(e, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, e, c.want)
		}
	}

	if code, who := p.whoami(ua.Secret); code != http.StatusOK || who.Role != store.RoleParty || who.Party != "UA" || who.TokenID != ua.ID {
		t.Fatalf("whoami as UA: %d %+v", code, who)
	}
	o, _ = wantExit(t, 0, "token", "list", "--data", data, "--json")
	var listed []tokenInfo
	if err := json.Unmarshal([]byte(o), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 4 || strings.Contains(o, server.TokenPrefix) || strings.Contains(o, `"secret"`) {
		t.Errorf("token list: want the mediator token and the three made, without secrets:\n%s", o)
	}
	o, _ = wantExit(t, 0, "token", "revoke", "--data", data, fmt.Sprint(ua.ID))
	if o != fmt.Sprintf("token %d revoked\n", ua.ID) {
		t.Errorf("token revoke: %q", o)
	}
	// A running server may trust a token it authenticated for up to a
	// second (server/tokencache.go); then it refuses it.
	revoked := time.Now()
	for {
		code, body := p.do(http.MethodGet, "/api/whoami", ua.Secret, nil)
		if code == http.StatusUnauthorized && strings.Contains(string(body), `"revoked-token"`) {
			break
		}
		if code != http.StatusOK || time.Since(revoked) > 3*time.Second {
			t.Fatalf("whoami with a token revoked %v ago: %d %s", time.Since(revoked).Round(time.Millisecond), code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _ := p.whoami(mon.Secret); code != http.StatusOK {
		t.Errorf("the monitor token after revoking another: %d", code)
	}
	o, _ = wantExit(t, 0, "token", "list", "--data", data)
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^%d\s+party\s+UA\s+Ukraine's delegation\s+\S+\s+true$`, ua.ID)).MatchString(o) {
		t.Errorf("token list after revoking %d:\n%s", ua.ID, o)
	}
	if _, e := wantExit(t, 2, "token", "revoke", "--data", data, "999"); !strings.Contains(e, "no token has id 999") {
		t.Errorf("token revoke 999: %q", e)
	}

	cancel()
	select {
	case err := <-served:
		if err != nil || !strings.HasSuffix(out.String(), "entente serve: stopped\n") {
			t.Errorf("serve after its context was cancelled: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve still runs 30 s after its context was cancelled")
	}
}

// examplePositions returns each party's entry of ukraine-2025's positions,
// as YAML, by party.
func examplePositions(t *testing.T) map[string]string {
	t.Helper()
	src, err := fs.ReadFile(examples.FS, "ukraine-2025/settlement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Positions []yaml.Node `yaml:"positions"`
	}
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range doc.Positions {
		var head struct{ Party string }
		if err := n.Decode(&head); err != nil {
			t.Fatal(err)
		}
		b, err := yaml.Marshal(&n)
		if err != nil {
			t.Fatal(err)
		}
		out[head.Party] = string(b)
	}
	return out
}

// TestServeTwoProcessesPostgres: two entente serve processes on one
// PostgreSQL database, started at once (the seed races), with one log key.
// Party tokens revise positions and a monitor records rulings against both
// servers from many goroutines at once; afterwards the log is one linear
// tree holding every successful append exactly once, each party's
// revisions are numbered 1..n in the order of their log indexes, and a
// checkpoint signed by one server is consistent with a later one signed by
// the other.
func TestServeTwoProcessesPostgres(t *testing.T) {
	bin := buildEntente(t)
	db := pgtest.NewDatabase(t)
	keyPath, _, err := ledger.WriteKeyPair(t.TempDir(), "entente.test/two-servers")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ledger.ReadSigner(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	var procs [2]*serveProc
	var errs [2]error
	var wg sync.WaitGroup
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i], errs[i] = launchServe(t, bin, "--db", db, "--key", keyPath, "--data", t.TempDir())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
	}
	// Both saw an empty store, or one saw the other's seed: either way one
	// settlement, and every token printed works on both servers.
	printed := 0
	for _, p := range procs {
		if tok := p.token(); tok != "" {
			printed++
			for _, q := range procs {
				if code, who := q.whoami(tok); code != http.StatusOK || who.Role != store.RoleMediator {
					t.Errorf("the token %s printed works not on %s: %d", p.url, q.url, code)
				}
			}
		}
	}
	if printed != 1 {
		t.Fatalf("%d servers started at once printed a mediator token, want one", printed)
	}

	parties := []string{"UA", "RU", "US", "FR", "GB", "DE"}
	tokens := map[string]string{}
	for _, party := range parties {
		o, _ := wantExit(t, 0, "token", "create", "--db", db, "--role", "party", "--party", party, "--json")
		var info tokenInfo
		if err := json.Unmarshal([]byte(o), &info); err != nil {
			t.Fatal(err)
		}
		tokens[party] = info.Secret
	}
	o, _ := wantExit(t, 0, "token", "create", "--db", db, "--role", "monitor", "--json")
	var mon tokenInfo
	if err := json.Unmarshal([]byte(o), &mon); err != nil {
		t.Fatal(err)
	}
	var list []server.SettlementInfo
	procs[1].getJSON("/api/settlements", tokens["UA"], &list)
	if len(list) != 1 || list[0].Version != 1 {
		t.Fatalf("settlements after two racing first starts: %+v", list)
	}
	positions := examplePositions(t)

	// Each worker sends, in turn to each server, a revision of one party's
	// position (every party is revised by several workers at once, through
	// both servers) and a ruling.
	const workers, rounds = 8, 12
	type result struct {
		kind   string // "position" or "ruling"
		party  string
		code   int
		body   []byte
		err    error
		server int
	}
	results := make(chan result, 2*workers*rounds)
	run := func(w int) {
		c := &http.Client{Timeout: 60 * time.Second}
		for i := range rounds {
			srv := (w + i) % 2
			party := parties[(w+i)%len(parties)]
			content := positions[party] + fmt.Sprintf("# revised by worker %d, round %d, through server %d\n", w, i, srv)
			code, body, err := request(c, http.MethodPut, procs[srv].url+"/api/settlements/ukraine-2025/positions/"+party, tokens[party], server.PutPosition{Content: content})
			results <- result{"position", party, code, body, err, srv}
			code, body, err = request(c, http.MethodPost, procs[1-srv].url+"/api/rulings", mon.Secret, map[string]any{"worker": w, "round": i, "server": 1 - srv})
			results <- result{"ruling", "", code, body, err, 1 - srv}
		}
	}
	var cp1 ledger.Note
	for w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); run(w) }()
	}
	// A checkpoint from server 0 while the writers run, once the log has
	// a few leaves.
	tok := procs[0].token() + procs[1].token()
	for deadline := time.Now().Add(30 * time.Second); ; {
		var status struct{ Size int64 }
		procs[0].getJSON("/api/log?limit=1", tok, &status)
		if status.Size >= 10 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, body := procs[0].do(http.MethodPost, "/api/log/checkpoint", tok, nil); code != http.StatusOK || json.Unmarshal(body, &cp1) != nil {
		t.Fatalf("checkpoint on server 0: %d %s", code, body)
	}
	wg.Wait()
	close(results)
	revisions := map[string]int{}
	rulings := 0
	for r := range results {
		if r.err != nil || r.code != http.StatusOK {
			t.Errorf("%s %s through server %d: %d %v %s", r.kind, r.party, r.server, r.code, r.err, r.body)
			continue
		}
		if r.kind == "ruling" {
			rulings++
		} else {
			revisions[r.party]++
		}
	}
	var cp2 ledger.Note
	if code, body := procs[1].do(http.MethodPost, "/api/log/checkpoint", tok, nil); code != http.StatusOK || json.Unmarshal(body, &cp2) != nil {
		t.Fatalf("checkpoint on server 1: %d %s", code, body)
	}
	appended := rulings
	for _, n := range revisions {
		appended += n
	}
	if cp2.Size != int64(appended) {
		t.Errorf("the log holds %d leaves, want the %d successful appends (the seed appends none)", cp2.Size, appended)
	}
	if cp1.Size < 10 || cp1.Size >= cp2.Size {
		t.Errorf("checkpoint 1 at size %d of %d: want it taken while the writers ran", cp1.Size, cp2.Size)
	}

	// The ledger's own verification, through the server and on the store.
	var rep ledger.Report
	procs[0].getJSON("/api/log/verify", tok, &rep)
	if !rep.OK || rep.Size != cp2.Size || len(rep.Checkpoints) != 2 {
		t.Errorf("GET /api/log/verify: %+v", rep)
	}
	st, err := openStore(context.Background(), db, store.DefaultOptions(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := ledger.New(store.LogStorage(st), ledger.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fsck, err := l.Fsck(ctx)
	if err != nil || !fsck.OK || fsck.Size != cp2.Size || fsck.Leaves != cp2.Size {
		t.Fatalf("fsck: %+v %v", fsck, err)
	}
	if v, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: signer.Verifier()}); err != nil || !v.OK {
		t.Fatalf("verify with the log key: %+v %v", v, err)
	}

	// The tree recomputed independently from the leaves with tlog alone:
	// its root at both checkpoints' sizes is the signed one.
	entries, err := l.Leaves(ctx, 0, cp2.Size)
	if err != nil {
		t.Fatal(err)
	}
	var hashes []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i, e := range entries {
		if e.Index != int64(i) || e.Err != nil {
			t.Fatalf("leaf %d: index %d, %v", i, e.Index, e.Err)
		}
		hs, err := tlog.StoredHashes(int64(i), e.Raw, hr)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	for _, cp := range []ledger.Note{cp1, cp2} {
		signed, err := ledger.OpenCheckpoint([]byte(cp.Note), signer.Verifier())
		if err != nil {
			t.Fatalf("checkpoint at %d: %v", cp.Size, err)
		}
		root, err := tlog.TreeHash(signed.Size, hr)
		if err != nil || root != signed.Hash {
			t.Errorf("tlog's root of the first %d leaves is %v (%v), the checkpoint signs %v", signed.Size, root, err, signed.Hash)
		}
	}
	// Server 1's consistency proof from the checkpoint server 0 signed to
	// its own, checked with tlog against the signed roots.
	var proof ledger.ConsistencyProof
	procs[1].getJSON(fmt.Sprintf("/api/log/prove?old=%d&size=%d", cp1.Size, cp2.Size), tok, &proof)
	if err := tlog.CheckTree(proof.Proof, cp2.Size, cp2.Root, cp1.Size, cp1.Root); err != nil {
		t.Errorf("consistency of checkpoint %d (server 0) with %d (server 1): %v", cp1.Size, cp2.Size, err)
	}
	if local, err := tlog.ProveTree(cp2.Size, cp1.Size, hr); err != nil || !slices.Equal(local, proof.Proof) {
		t.Errorf("the server's consistency proof differs from tlog's own: %v", err)
	}

	// Every leaf is a ruling or a position revision that succeeded; each
	// party's revisions are 1..n in log order, and the stored history
	// agrees with the log.
	logged := map[string][]loggedRevision{}
	kinds := map[ledger.Kind]int{}
	for _, e := range entries {
		kinds[e.Leaf.Kind]++
		if e.Leaf.Kind == ledger.KindPosition {
			var rec server.PositionRecord
			if err := json.Unmarshal(e.Leaf.Content, &rec); err != nil {
				t.Fatal(err)
			}
			logged[rec.Party] = append(logged[rec.Party], loggedRevision{Index: e.Index, Revision: rec.Revision, SHA256: rec.SHA256})
		}
	}
	if kinds[ledger.KindRuling] != rulings || kinds[ledger.KindRuling]+kinds[ledger.KindPosition] != len(entries) {
		t.Errorf("leaf kinds %v: want %d rulings and the rest positions", kinds, rulings)
	}
	for _, party := range parties {
		var hist []store.Position
		if err := st.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
			var err error
			hist, err = tx.PositionHistory(ctx, "ukraine-2025", party)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		recs := logged[party]
		if len(hist) != revisions[party] || len(recs) != revisions[party] {
			t.Errorf("%s: %d revisions stored, %d logged, %d succeeded", party, len(hist), len(recs), revisions[party])
			continue
		}
		for i, h := range hist {
			r := recs[i]
			if h.Revision != int64(i+1) || r.Revision != int64(i+1) || h.LogIndex != r.Index || h.Hash != r.SHA256 {
				t.Errorf("%s revision %d: stored revision %d at log index %d (%s), logged revision %d at %d (%s)",
					party, i+1, h.Revision, h.LogIndex, h.Hash, r.Revision, r.Index, r.SHA256)
			}
		}
	}
	t.Logf("%d position revisions and %d rulings through two servers; checkpoints at %d and %d", appended-rulings, rulings, cp1.Size, cp2.Size)
	for _, p := range procs {
		p.stop()
	}
}

// loggedRevision is a position leaf of the log.
type loggedRevision struct {
	Index, Revision int64
	SHA256          string
}
