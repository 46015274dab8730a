package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/entente-org/entente/genius"
	"github.com/entente-org/entente/internal/render"
)

// maxImportFile bounds the size of a file to import; Genius files are a
// few kilobytes.
const maxImportFile = 16 << 20

// importJSON is the JSON report of entente import --json.
type importJSON struct {
	OK         bool              `json:"ok"`
	Output     string            `json:"output,omitempty"`
	Settlement string            `json:"settlement,omitempty"`
	Issues     []importIssueJSON `json:"issues"`
	Parties    []importPartyJSON `json:"parties"`
	Warnings   []problemJSON     `json:"warnings"`
	Errors     []problemJSON     `json:"errors"`
}

type importIssueJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Values int64  `json:"values"`
}

type importPartyJSON struct {
	ID       string `json:"id"`
	Profile  string `json:"profile"`
	Position bool   `json:"position"`
}

type problemJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

const importSummary = `Converts a negotiation domain from another format into a settlement file.

entente import genius DOMAIN.xml PROFILE.xml... reads a Genius (ANAC) domain and its
utility profiles: one issue per domain issue, one party and position per profile, with
weights, values and reservation value, so that each position's utility equals the
profile's Genius utility. What the settlement cannot express (a discount factor, a
real issue's continuum, a nonlinear profile) is a warning on stderr and a comment in
the file. docs/genius.md describes the mapping.

The settlement goes to standard output, or to the -o file.
Exit status: 0 imported; 2 bad usage, an unreadable file, or files that are not a
consistent Genius domain and profiles (every problem is listed with file:line:col).`

// runImport converts files of another negotiation format into a
// settlement; the first argument names the format.
func runImport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlags("import", "genius DOMAIN.xml PROFILE.xml...", importSummary, stderr)
	out := flags.String("o", "", "write the settlement to `FILE` instead of standard output")
	force := flags.Bool("force", false, "overwrite the -o file if it exists")
	asJSON := flags.Bool("json", false, "print a JSON report (output, issues, parties, warnings, errors) on standard output; needs -o")
	realValues := flags.Int("real-values", genius.DefaultRealValues, "take a real issue at `N` equally spaced values, its bounds included, as Genius enumerates bids")
	maxValues := flags.Int64("max-values", genius.DefaultMaxValues, "refuse integer issues with more than `N` values")
	normalise := flags.Bool("normalise-weights", false, "accept profiles whose weights do not sum to 1, dividing them by their sum (a warning says how utilities then differ from Genius's)")
	parties := flags.String("parties", "", "party `IDS`, comma-separated, one per profile in order (default: from the profiles' file names)")
	rest, err := parse(flags, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		flags.Usage()
		return usageErrorf("import: name the format to import: genius")
	}
	if rest[0] != "genius" {
		flags.Usage()
		return usageErrorf("import: unknown format %q; entente imports: genius", rest[0])
	}
	files := rest[1:]
	if len(files) < 2 {
		flags.Usage()
		return usageErrorf("import genius: name the domain file, then one or more utility profiles")
	}
	if *asJSON && *out == "" {
		return usageErrorf("import genius: --json prints a report, so write the settlement with -o FILE")
	}
	opts := genius.DefaultOptions()
	opts.RealValues, opts.MaxValues, opts.NormaliseWeights = *realValues, *maxValues, *normalise
	if *parties != "" {
		for _, id := range strings.Split(*parties, ",") {
			opts.Parties = append(opts.Parties, strings.TrimSpace(id))
		}
	}
	if *out != "" {
		if err := checkOutput(*out, *force); err != nil {
			return err
		}
	}

	report := importJSON{Issues: []importIssueJSON{}, Parties: []importPartyJSON{}, Warnings: []problemJSON{}, Errors: []problemJSON{}}
	fail := func(err error) error {
		var el genius.ErrorList
		if !errors.As(err, &el) {
			return err
		}
		for _, e := range el {
			report.Errors = append(report.Errors, problemJSON{e.Pos.File, e.Pos.Line, e.Pos.Col, e.Msg})
			if !*asJSON {
				fmt.Fprintln(stderr, e)
			}
		}
		if *asJSON {
			if err := render.JSON(stdout, report); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(stderr, "entente: import genius: %s; nothing written\n", plural(len(el), "error"))
		}
		return &inputError{err: err, printed: true}
	}

	var parsed []*genius.File
	var errs genius.ErrorList
	for _, name := range files {
		src, err := readImportFile(name)
		if err != nil {
			return &inputError{err: err}
		}
		f, err := genius.Parse(name, src)
		var el genius.ErrorList
		switch {
		case errors.As(err, &el):
			errs = append(errs, el...)
		case err != nil:
			return err
		}
		parsed = append(parsed, f)
	}
	if len(errs) > 0 {
		return fail(errs)
	}
	im, err := genius.Convert(parsed[0], parsed[1:], opts)
	if errors.Is(err, genius.ErrOptions) {
		return usageErrorf("import genius: %v", err)
	}
	if err != nil {
		return fail(err)
	}
	for _, w := range im.Warnings {
		report.Warnings = append(report.Warnings, problemJSON{w.Pos.File, w.Pos.Line, w.Pos.Col, w.Msg})
		fmt.Fprintln(stderr, w)
	}
	if *out == "" {
		_, err := stdout.Write(im.YAML())
		return err
	}
	if err := writeFileAtomic(*out, im.YAML(), 0o644); err != nil {
		return &inputError{err: fmt.Errorf("import genius: write %s: %w", *out, err)}
	}
	positions := 0
	for _, p := range im.Parties {
		report.Parties = append(report.Parties, importPartyJSON{ID: p.ID, Profile: p.Profile.Name, Position: p.Utility != nil})
		if p.Utility != nil {
			positions++
		}
	}
	for _, is := range im.Issues {
		report.Issues = append(report.Issues, importIssueJSON{ID: is.ID, Name: is.From.Name, Kind: is.Kind.String(), Values: is.Size()})
	}
	if *asJSON {
		report.OK, report.Output, report.Settlement = true, *out, im.ID
		return render.JSON(stdout, report)
	}
	parts := "1 party"
	if len(im.Parties) != 1 {
		parts = fmt.Sprintf("%d parties", len(im.Parties))
	}
	fmt.Fprintf(stderr, "wrote %s: %s, %s, %s (%s)\n", *out, plural(len(im.Issues), "issue"),
		parts, plural(positions, "position"), plural(len(im.Warnings), "warning"))
	fmt.Fprintf(stderr, "next: entente check %s\n", *out)
	return nil
}

// checkOutput refuses to overwrite a file unless force, and a directory.
func checkOutput(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return usageErrorf("import genius: -o %s is a directory", path)
	case err == nil && !force:
		return usageErrorf("import genius: %s already exists; use --force to overwrite it", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return &inputError{err: err}
	}
	return nil
}

// readImportFile reads a file to import, refusing directories and files
// too large to be Genius files.
func readImportFile(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("import genius: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("import genius: %s is a directory; name the domain and profile XML files", name)
	}
	if fi.Size() > maxImportFile {
		return nil, fmt.Errorf("import genius: %s is %d bytes; Genius files are far smaller (at most %d MiB are read)", name, fi.Size(), maxImportFile>>20)
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("import genius: %w", err)
	}
	return src, nil
}
