package settlement

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest settlement file the loader reads (8 MiB).
// Real settlements are a few kilobytes; the limit keeps a stray data file
// from exhausting memory.
const MaxFileSize = 8 << 20

// Options configure loading.
type Options struct {
	// ReadFile reads an included file. Nil means os.ReadFile, with the
	// size limit applied.
	ReadFile func(name string) ([]byte, error)
	// MaxFileSize overrides the size limit of each file; 0 means MaxFileSize.
	MaxFileSize int64
}

// DefaultOptions returns options that read files from the file system.
func DefaultOptions() Options { return Options{} }

// LoadFile reads the settlement at path and the files it includes, and
// validates it (see [Validate]).
//
// The error is a [*MalformedError] when a file cannot be read or is not a
// YAML mapping; everything else wrong with the file is a finding with
// severity [Error] in the returned list, so that every problem is reported
// at once. The settlement is returned, partial, whenever it is not nil.
func LoadFile(path string, opts Options) (*Settlement, Findings, error) {
	src, err := readLimited(path, opts)
	if err != nil {
		return nil, nil, &MalformedError{Pos: Pos{File: path}, Msg: "cannot read settlement", Err: err}
	}
	return Parse(path, src, opts)
}

// Parse decodes a settlement from src, naming it name in positions.
// Included files are read with opts.ReadFile relative to name's directory.
// See [LoadFile] for the results.
func Parse(name string, src []byte, opts Options) (*Settlement, Findings, error) {
	l := &loader{opts: opts, stack: []string{}}
	s := &Settlement{File: name}
	root, err := l.node(name, src)
	if err != nil {
		return nil, nil, err
	}
	l.setLines(name, src)
	l.decodeFile(s, name, root, true)
	l.loadGeo(s)
	l.findings = append(l.findings, Validate(s)...)
	l.findings.Sort()
	return s, l.findings, nil
}

type loader struct {
	opts     Options
	findings Findings
	stack    []string // files being decoded, for include cycles
	seen     map[string]bool
	lines    map[string][]string
}

func (l *loader) limit() int64 {
	if l.opts.MaxFileSize > 0 {
		return l.opts.MaxFileSize
	}
	return MaxFileSize
}

func readLimited(path string, opts Options) ([]byte, error) {
	limit := opts.MaxFileSize
	if limit <= 0 {
		limit = MaxFileSize
	}
	if opts.ReadFile != nil {
		b, err := opts.ReadFile(path)
		if err == nil && int64(len(b)) > limit {
			return nil, fmt.Errorf("file is %d bytes; the limit is %d", len(b), limit)
		}
		return b, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory; name the settlement file in it (settlement.yaml)", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("file is larger than %d bytes, the limit for a settlement file", limit)
	}
	return b, nil
}

// node parses src as one YAML document whose root is a mapping.
func (l *loader) node(name string, src []byte) (n *yaml.Node, err error) {
	if int64(len(src)) > l.limit() {
		return nil, &MalformedError{Pos: Pos{File: name}, Msg: fmt.Sprintf("file is %d bytes; the limit for a settlement file is %d", len(src), l.limit())}
	}
	if !utf8.Valid(src) {
		line, col := invalidUTF8At(src)
		return nil, &MalformedError{Pos: Pos{File: name, Line: line, Col: col}, Msg: "not UTF-8 text: a settlement file is YAML"}
	}
	if bytes.IndexByte(src, 0) >= 0 {
		line, col := lineCol(src, bytes.IndexByte(src, 0))
		return nil, &MalformedError{Pos: Pos{File: name, Line: line, Col: col}, Msg: "binary data (a NUL byte): a settlement file is YAML text"}
	}
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, &MalformedError{Pos: Pos{File: name}, Msg: fmt.Sprintf("malformed YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &MalformedError{Pos: Pos{File: name, Line: 1, Col: 1}, Msg: "empty file: a settlement starts with 'entente: 1'"}
		}
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &MalformedError{Pos: Pos{File: name, Line: extra.Line, Col: extra.Column}, Msg: "a second YAML document: a settlement file holds one document (remove the '---')"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &MalformedError{Pos: Pos{File: name, Line: root.Line, Col: root.Column},
			Msg: fmt.Sprintf("the file holds %s; a settlement is a mapping that starts with 'entente: 1'", kindName(root))}
	}
	return root, nil
}

func invalidUTF8At(src []byte) (int, int) {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return lineCol(src, i)
		}
		i += size
	}
	return 1, 1
}

func lineCol(src []byte, off int) (int, int) {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:off])
}

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into a positioned one.
func yamlError(name string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.Index(rest, ":"); i > 0 {
			if _, e := fmt.Sscanf(rest[:i], "%d", &line); e == nil {
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	// yaml.v3 numbers the lines of parser errors ("did not find expected
	// …") from 0 and leaves out line 0, while scanner errors count from 1.
	if strings.HasPrefix(msg, "did not find expected") {
		line++
	}
	return &MalformedError{Pos: Pos{File: name, Line: line}, Msg: "malformed YAML: " + msg}
}

func splitLines(src []byte) []string {
	s := strings.ReplaceAll(string(src), "\r\n", "\n")
	return strings.Split(s, "\n")
}

// decodeFile decodes one file's mapping into s. The root file may set
// entente, id, title, description and monitoring; an included file only
// adds to the lists (or sets monitoring when the root has none).
func (l *loader) decodeFile(s *Settlement, name string, root *yaml.Node, isRoot bool) {
	l.stack = append(l.stack, name)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	l.seen[filepath.Clean(name)] = true
	s.Files = append(s.Files, name)
	d := &nodes{file: name, findings: &l.findings, budget: 10000}
	d.lines = l.lines[name]
	fs, loc, ok := topFields.mapping(d, root, "the settlement")
	if !ok {
		return
	}
	if isRoot {
		s.Loc = loc
	}
	x := &fileDecoding{Settlement: s, name: name, isRoot: isRoot, root: l.stack[0]}
	topFields.decodeAll(d, x, fs)
	// Includes are read after the file's own keys, so that the including
	// file's monitoring section wins whatever the order of its keys.
	for _, f := range x.includes {
		for i, p := range d.strs(f.value, "include") {
			l.include(s, d, f.value, i, name, p)
		}
	}
}

// include reads and decodes one included file.
func (l *loader) include(s *Settlement, d *nodes, list *yaml.Node, i int, from, rel string) {
	at := list
	if items := d.seq(list, "include"); i < len(items) {
		at = items[i]
	}
	if rel == "" {
		d.errorf(at, "include-missing", "name a YAML file relative to "+from, "empty include path")
		return
	}
	path := rel
	if !filepath.IsAbs(rel) {
		path = filepath.Join(filepath.Dir(from), rel)
	}
	clean := filepath.Clean(path)
	for _, f := range l.stack {
		if filepath.Clean(f) == clean {
			chain := append(append([]string(nil), l.stack...), path)
			d.errorf(at, "include-cycle", "remove one include of the cycle", "include cycle: %s", strings.Join(chain, " → "))
			return
		}
	}
	if l.seen[clean] {
		d.errorf(at, "include-twice", "include each file once", "%s is already included", path)
		return
	}
	src, err := readLimited(path, l.opts)
	if err != nil {
		d.errorf(at, "include-missing", "the path is relative to "+filepath.Dir(from), "cannot include %s: %v", rel, err)
		return
	}
	root, err := l.node(path, src)
	if err != nil {
		var me *MalformedError
		if errors.As(err, &me) {
			l.findings = append(l.findings, Finding{Severity: Error, Code: "include-malformed", Message: me.Msg, Pos: me.Pos,
				Hint: "included from " + d.pos(at).String()})
		}
		return
	}
	l.setLines(path, src)
	l.decodeFile(s, path, root, false)
}

func (l *loader) setLines(name string, src []byte) {
	if l.lines == nil {
		l.lines = map[string][]string{}
	}
	l.lines[name] = splitLines(src)
}

// fileDecoding is the state of decoding one file of a settlement: the
// settlement it adds to, the file's name, whether it is the root file
// (and the root's name), and the includes it lists, read after its own
// keys.
type fileDecoding struct {
	*Settlement
	name     string
	isRoot   bool
	root     string
	includes []field
}

// rootOnly decodes a key that only the root file may set.
func rootOnly(decode fieldFunc[fileDecoding]) fieldFunc[fileDecoding] {
	return func(d *nodes, x *fileDecoding, f field) {
		if !x.isRoot {
			d.errorf(f.value, "include-top-key", "set it in the including file "+x.root, "%q belongs to the root settlement file, not an included one", f.key)
			return
		}
		decode(d, x, f)
	}
}

var topFields = table(
	keyFunc[fileDecoding]{"entente", func(d *nodes, x *fileDecoding, f field) {
		n, ok := d.integer(f.value, "entente (the format version)")
		switch {
		case !ok:
		case x.isRoot:
			x.Format = int(n)
		case n != Format:
			// An included file may state its format; it must be this one.
			d.errorf(f.value, "unsupported-format", "this version of entente reads format 1", "unsupported format %d in an included file", n)
		}
	}},
	keyFunc[fileDecoding]{"id", rootOnly(func(d *nodes, x *fileDecoding, f field) { x.ID, _ = d.str(f.value, "id") })},
	keyFunc[fileDecoding]{"title", rootOnly(func(d *nodes, x *fileDecoding, f field) { x.Title, _ = d.str(f.value, "title") })},
	keyFunc[fileDecoding]{"description", rootOnly(func(d *nodes, x *fileDecoding, f field) {
		x.Description, _ = d.str(f.value, "description")
	})},
	keyFunc[fileDecoding]{"include", func(d *nodes, x *fileDecoding, f field) { x.includes = append(x.includes, f) }},
	keyFunc[fileDecoding]{"sources", func(d *nodes, x *fileDecoding, f field) {
		for _, n := range d.seq(f.value, "sources") {
			if e := decodeSource(d, n); e != nil {
				x.Sources = append(x.Sources, e)
			}
		}
	}},
	keyFunc[fileDecoding]{"parties", func(d *nodes, x *fileDecoding, f field) {
		for _, n := range d.seq(f.value, "parties") {
			if e := decodeParty(d, n); e != nil {
				x.Parties = append(x.Parties, e)
			}
		}
	}},
	keyFunc[fileDecoding]{"issues", func(d *nodes, x *fileDecoding, f field) {
		for _, n := range d.seq(f.value, "issues") {
			if e := decodeIssue(d, n); e != nil {
				x.Issues = append(x.Issues, e)
			}
		}
	}},
	keyFunc[fileDecoding]{"constraints", func(d *nodes, x *fileDecoding, f field) {
		for _, n := range d.seq(f.value, "constraints") {
			if e := decodeConstraint(d, n); e != nil {
				x.Constraints = append(x.Constraints, e)
			}
		}
	}},
	keyFunc[fileDecoding]{"positions", func(d *nodes, x *fileDecoding, f field) {
		for _, n := range d.seq(f.value, "positions") {
			if e := decodePosition(d, n); e != nil {
				x.Positions = append(x.Positions, e)
			}
		}
	}},
	keyFunc[fileDecoding]{"guarantees", func(d *nodes, x *fileDecoding, f field) {
		for _, n := range d.seq(f.value, "guarantees") {
			if e := decodeGuarantee(d, n); e != nil {
				x.Guarantees = append(x.Guarantees, e)
			}
		}
	}},
	keyFunc[fileDecoding]{"monitoring", func(d *nodes, x *fileDecoding, f field) {
		if x.Monitoring != nil {
			d.errorAt(f.kpos, "duplicate-monitoring", "keep one monitoring section, in "+x.Monitoring.Pos.File, "monitoring is already given at %s", x.Monitoring.Pos)
			return
		}
		x.Monitoring = decodeMonitoring(d, f.value, filepath.Dir(x.name))
	}},
)
