package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a character device (a terminal) and the
// terminal is not "dumb": progress is drawn only then.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
