package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/entente-org/entente/settlement"
)

// usageError is bad usage: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// findingsError says a command found problems it has already printed:
// exit status 1.
type findingsError struct{ msg string }

func (e *findingsError) Error() string { return e.msg }

// inputError is input that cannot be used (unreadable or malformed): exit
// status 2. It has usually been printed already.
type inputError struct {
	err     error
	printed bool
}

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// exitCode maps an error to the process exit status, printing what has not
// been printed: 0 ok, 1 findings or a failed check, 2 bad usage or input.
// It is the CLI's one place for that mapping.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	var fe *findingsError
	var ie *inputError
	var me *settlement.MalformedError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "entente:", ue.msg)
		return 2
	case errors.As(err, &fe):
		if fe.msg != "" {
			fmt.Fprintln(stderr, fe.msg)
		}
		return 1
	case errors.As(err, &ie):
		if !ie.printed {
			fmt.Fprintln(stderr, "entente:", ie.err)
		}
		return 2
	case errors.As(err, &me):
		fmt.Fprintln(stderr, "entente:", me)
		return 2
	}
	fmt.Fprintln(stderr, "entente:", err)
	return 1
}
