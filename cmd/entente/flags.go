package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// newFlags returns a flag set for a verb that writes its usage to stderr.
func newFlags(name, args, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: entente %s [flags] %s\n\n%s\n\nflags:\n", name, args, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may come before or after the arguments
// ("entente check FILE --json"), and returns the arguments. "--" ends the
// flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, &usageError{strings.TrimSpace(err.Error())}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// textLimit is how many entries of a long list the text output shows
// when no --limit is given; --json lists them all.
const textLimit = 20

// listLimit is the --limit flag every verb with long lists shares: N > 0
// lists at most N entries of each list, 0 lists them all; without it the
// text output shows the first 20 and --json everything. Counts stay
// exact either way, and --json says "…_complete": false where a limit
// (or a bound) cut a list.
type listLimit struct {
	n   int
	set bool
}

// addLimit defines --limit on fs; what names the lists it cuts. extra
// names other flags that mean the same (kept for older scripts).
func addLimit(fs *flag.FlagSet, what string, extra ...string) *listLimit {
	l := &listLimit{}
	usage := fmt.Sprintf("list at most `N` %s (0: all); default %d, all with --json; counts stay exact", what, textLimit)
	fs.Var(l, "limit", usage)
	for _, name := range extra {
		fs.Var(l, name, "the same as --limit")
	}
	return l
}

func (l *listLimit) String() string {
	if l == nil || !l.set {
		return ""
	}
	return strconv.Itoa(l.n)
}

func (l *listLimit) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a count of 0 or more (0: all), not %q", s)
	}
	l.n, l.set = n, true
	return nil
}

// get returns the limit to apply: the one given, else 0 (all) for --json
// and textLimit for text.
func (l *listLimit) get(asJSON bool) int {
	switch {
	case l.set:
		return l.n
	case asJSON:
		return 0
	}
	return textLimit
}
