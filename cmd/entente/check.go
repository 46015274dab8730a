package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/entente-org/entente/check"
	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/settlement"
)

// runCheck is entente check.
func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "FILE...", "Checks settlement files: every error (undefined terms, dangling references, rules that do not\ntype-check) and every vagueness finding, with file, line, column and a code.\nExit status: 0 no errors; 1 errors, or warnings under --strict; 2 bad usage or an unreadable or malformed file.", stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	strict := fs.Bool("strict", false, "fail (exit 1) on warnings too")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageErrorf("check: name a settlement file")
	}
	var all settlement.Findings
	malformed := false
	for _, file := range files {
		res, err := check.File(file, settlement.DefaultOptions())
		if err != nil {
			var me *settlement.MalformedError
			if !errors.As(err, &me) {
				return err
			}
			malformed = true
			all = append(all, settlement.Finding{Severity: settlement.Error, Code: "malformed", Message: me.Msg + errSuffix(me.Err), Pos: me.Pos})
			continue
		}
		all = append(all, res.Findings...)
	}
	out := check.NewReport(all, *strict)
	if *asJSON {
		if err := render.JSON(stdout, out); err != nil {
			return err
		}
	} else {
		for _, f := range all {
			printFinding(stdout, f, true)
		}
		fmt.Fprintf(stdout, "%s: %s, %s\n", summaryName(files), plural(out.Errors, "error"), plural(out.Warnings, "warning"))
	}
	switch {
	case malformed:
		return &inputError{err: errors.New("malformed settlement file"), printed: true}
	case !out.OK:
		return &findingsError{}
	}
	return nil
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

func summaryName(files []string) string {
	if len(files) == 1 {
		return files[0]
	}
	return fmt.Sprintf("%d files", len(files))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printFinding prints one finding as "file:line:col: severity[code]:
// message", and its hint indented on the next line when hint is set. Every
// verb reports findings in this form.
func printFinding(w io.Writer, f settlement.Finding, hint bool) {
	fmt.Fprintf(w, "%s: %s[%s]: %s\n", f.Pos, f.Severity, f.Code, f.Message)
	if hint && f.Hint != "" {
		fmt.Fprintf(w, "    %s\n", f.Hint)
	}
}

// printErrors prints the error findings of fs (warnings are left out).
func printErrors(w io.Writer, fs settlement.Findings, hint bool) {
	for _, f := range fs {
		if f.Severity == settlement.Error {
			printFinding(w, f, hint)
		}
	}
}
