package genius

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Limits of the XML reader: Genius files are a few kilobytes, nested a few
// levels deep; these bounds only stop pathological input.
const (
	maxDepth    = 64
	maxElements = 1 << 20
)

// node is one XML element: its local name (namespaces are ignored, as
// Genius's own parser does), attributes, child elements and where its
// start tag lies in the source.
type node struct {
	name     string
	attrs    []xml.Attr
	children []*node
	off, end int // byte offsets of the start tag: '<' and just after '>'
}

// attr returns the value of the attribute with the given local name.
func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// child returns the first child element with the given name, or nil.
func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// tree is a parsed XML file with what is needed to turn byte offsets into
// lines and columns.
type tree struct {
	file  string
	src   []byte // the text the offsets refer to (UTF-8)
	lines []int  // byte offset of the start of each line
	root  *node
}

// pos returns the position of byte offset off.
func (t *tree) pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(t.src) {
		off = len(t.src)
	}
	i := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return Pos{File: t.file, Line: i + 1, Col: utf8.RuneCount(t.src[t.lines[i]:off]) + 1}
}

// at returns the position of an element's start tag.
func (t *tree) at(n *node) Pos { return t.pos(n.off) }

// attrAt returns the position of the value of an element's attribute, or
// of the element when the attribute is not there.
func (t *tree) attrAt(n *node, name string) Pos {
	tag := t.src[n.off:n.end]
	for i := 1; i+len(name) <= len(tag); i++ {
		j := i + bytes.Index(tag[i:], []byte(name))
		if j < i {
			break
		}
		i = j
		if !isSpace(tag[j-1]) {
			continue
		}
		k := j + len(name)
		for k < len(tag) && isSpace(tag[k]) {
			k++
		}
		if k >= len(tag) || tag[k] != '=' {
			continue
		}
		k++
		for k < len(tag) && isSpace(tag[k]) {
			k++
		}
		if k < len(tag) && (tag[k] == '"' || tag[k] == '\'') {
			return t.pos(n.off + k + 1)
		}
	}
	return t.at(n)
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

var (
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
	encodeRE = regexp.MustCompile(`<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']`)
)

// latin1Names are the single-byte encodings the reader converts to UTF-8
// before parsing; Genius files are otherwise UTF-8.
var latin1Names = map[string]*charmap.Charmap{
	"iso-8859-1": charmap.ISO8859_1, "iso8859-1": charmap.ISO8859_1, "latin1": charmap.ISO8859_1,
	"latin-1": charmap.ISO8859_1, "l1": charmap.ISO8859_1, "iso-8859-15": charmap.ISO8859_15,
	"windows-1252": charmap.Windows1252, "cp1252": charmap.Windows1252,
}

// parseXML reads src into a tree of elements. It checks that src is
// well-formed XML with one root element, and returns positioned errors.
func parseXML(file string, src []byte) (*tree, *Error) {
	t := &tree{file: file}
	if bytes.HasPrefix(src, []byte{0xFF, 0xFE}) || bytes.HasPrefix(src, []byte{0xFE, 0xFF}) {
		return nil, &Error{Pos{File: file}, "the file is UTF-16 text; Genius files are UTF-8 XML: convert it to UTF-8"}
	}
	src = bytes.TrimPrefix(src, utf8BOM)
	// Convert a single-byte encoding to UTF-8 first, so that every offset
	// refers to the text as parsed and the lines stay those of the file.
	head := src
	if len(head) > 1024 {
		head = head[:1024]
	}
	identity := false
	if m := encodeRE.FindSubmatch(head); m != nil {
		enc := strings.ToLower(string(m[1]))
		switch cm := latin1Names[enc]; {
		case enc == "utf-8" || enc == "utf8" || enc == "us-ascii" || enc == "ascii":
			identity = enc != "utf-8"
		case cm != nil:
			conv, err := cm.NewDecoder().Bytes(src)
			if err != nil {
				return nil, &Error{Pos{File: file}, fmt.Sprintf("cannot read the file as %s: %v", enc, err)}
			}
			src, identity = conv, true
		default:
			return nil, &Error{Pos{File: file}, fmt.Sprintf("the XML declaration names the encoding %q; Genius files are UTF-8 (ISO-8859-1 and windows-1252 are also read): convert the file to UTF-8", m[1])}
		}
	}
	t.src = src
	t.lines = []int{0}
	for i, b := range src {
		if b == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, &Error{Pos{File: file}, "the file is empty; a Genius domain is XML whose root element is <negotiation_template>, a profile XML whose root element is <utility_space>"}
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return nil, &Error{t.pos(i), "the file holds a NUL byte: it is not a text (XML) file"}
	}
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if identity {
			return in, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	var stack []*node
	count := 0
	for {
		off := int(d.InputOffset())
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, t.xmlError(err, int(d.InputOffset()))
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxElements {
				return nil, &Error{t.pos(off), fmt.Sprintf("more than %d elements; Genius files are far smaller", maxElements)}
			}
			if len(stack) >= maxDepth {
				return nil, &Error{t.pos(off), fmt.Sprintf("elements nested more than %d deep; Genius files nest a few levels", maxDepth)}
			}
			n := &node{name: tok.Name.Local, attrs: append([]xml.Attr(nil), tok.Attr...), off: off, end: int(d.InputOffset())}
			switch {
			case len(stack) > 0:
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			case t.root != nil:
				return nil, &Error{t.pos(off), fmt.Sprintf("a second root element <%s> after <%s>; an XML file has one root element", n.name, t.root.name)}
			default:
				t.root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(tok)) > 0 {
				return nil, &Error{t.pos(off), "text outside the root element: this is not an XML file"}
			}
		}
	}
	if t.root == nil {
		return nil, &Error{Pos{File: file, Line: 1, Col: 1}, "no XML element in the file; a Genius domain's root element is <negotiation_template>, a profile's is <utility_space>"}
	}
	return t, nil
}

// xmlError turns a decoder error into a positioned error. The decoder
// gives the line of a syntax error; the column comes from the offset where
// decoding stopped when it lies on that line.
func (t *tree) xmlError(err error, off int) *Error {
	p := t.pos(off)
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if se.Line > 0 && se.Line != p.Line {
			p = Pos{File: t.file, Line: se.Line}
		}
		return &Error{p, "not well-formed XML: " + se.Msg}
	}
	return &Error{p, "not well-formed XML: " + err.Error()}
}
