package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/server"
	"github.com/entente-org/entente/store"
)

const tokenUsage = `usage: entente token COMMAND [flags]

  create   make a bearer token for entente serve: --role mediator|party|monitor|observer [--party P]
  list     list the tokens (their ids, roles and labels; never their secrets)
  revoke   revoke a token by id

Tokens are stored hashed (SHA-256); a token's secret is shown once, when it is made.
Run 'entente token COMMAND --help' for a command's flags.`

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, tokenUsage)
		if len(args) == 0 {
			return usageErrorf("token: name a command: create, list or revoke")
		}
		return nil
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return runTokenList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, tokenUsage)
	return usageErrorf("token: unknown command %q; want create, list or revoke", args[0])
}

// tokenInfo is a token as token list and token create --json show it.
type tokenInfo struct {
	ID      int64     `json:"id"`
	Role    string    `json:"role"`
	Party   string    `json:"party,omitempty"`
	Label   string    `json:"label,omitempty"`
	Created time.Time `json:"created"`
	Revoked bool      `json:"revoked"`
	// Secret is set by create only.
	Secret string `json:"secret,omitempty"`
}

func infoOf(t store.Token) tokenInfo {
	return tokenInfo{ID: t.ID, Role: t.Role, Party: t.Party, Label: t.Label, Created: t.Created, Revoked: t.Revoked}
}

func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token create", "--role ROLE [--party P] [--label L]", "Makes a bearer token and prints its secret, once: keep it, it cannot be shown again.\nA party token needs --party, the party's id in the settlements it negotiates.", stderr)
	role := fs.String("role", "", "mediator, party, monitor or observer")
	party := fs.String("party", "", "the party a party token acts for")
	label := fs.String("label", "", "a note saying whose token it is")
	asJSON := fs.Bool("json", false, "print JSON")
	sf := addServeFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || *role == "" {
		fs.Usage()
		return usageErrorf("token create: give --role mediator|party|monitor|observer and no arguments")
	}
	if (*role == store.RoleParty) != (*party != "") {
		return usageErrorf("token create: --party goes with --role party, and only with it")
	}
	probe := store.Token{Hash: "x", Role: *role, Party: *party, Label: *label}
	if err := probe.Check(); err != nil {
		return usageErrorf("token create: %v", err)
	}
	st, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, t, err := server.CreateToken(ctx, st, *role, *party, *label)
	if err != nil {
		return storeError(err)
	}
	info := infoOf(*t)
	info.Secret = secret
	if *asJSON {
		return render.JSON(stdout, info)
	}
	who := info.Role
	if info.Party != "" {
		who += " " + info.Party
	}
	fmt.Fprintf(stdout, "token %d (%s), shown once:\n%s\n", info.ID, who, secret)
	return nil
}

func runTokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token list", "", "Lists the tokens: id, role, party, label, when made, whether revoked.", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	sf := addServeFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return usageErrorf("token list takes no arguments")
	}
	st, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var ts []store.Token
	if err := st.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		var err error
		ts, err = tx.Tokens(ctx)
		return err
	}); err != nil {
		return storeError(err)
	}
	out := []tokenInfo{}
	for _, t := range ts {
		out = append(out, infoOf(t))
	}
	if *asJSON {
		return render.JSON(stdout, out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tPARTY\tLABEL\tCREATED\tREVOKED")
	for _, t := range out {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%v\n", t.ID, t.Role, t.Party, t.Label, t.Created.Format(time.RFC3339), t.Revoked)
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token revoke", "ID", "Revokes the token with this id (see entente token list); every running server refuses it\nwithin a second (a server trusts a token it has checked for up to a second).", stderr)
	sf := addServeFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return usageErrorf("token revoke: give one token id")
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		return usageErrorf("token revoke: %q is not a token id (a positive number from entente token list)", rest[0])
	}
	st, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error { return tx.RevokeToken(ctx, id) })
	if errors.Is(err, store.ErrNotFound) {
		return &inputError{err: fmt.Errorf("token revoke: no token has id %d (entente token list lists them)", id)}
	}
	if err != nil {
		return storeError(err)
	}
	fmt.Fprintf(stdout, "token %d revoked\n", id)
	return nil
}
