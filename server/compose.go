package server

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"go.yaml.in/yaml/v3"
)

// compose returns the settlement source src with its positions replaced
// by the given ones (by party: a party's stored position replaces the
// entry of the source with that party, or is appended). With only set,
// the positions of every other party are left out: the settlement as
// that party may see it.
func compose(src []byte, positions map[string][]byte, only string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("compose: the settlement is not a YAML mapping")
	}
	root := doc.Content[0]
	var seq *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "positions" {
			seq = root.Content[i+1]
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode {
		if seq == nil {
			seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "positions"}, seq)
		} else if len(positions) > 0 || only != "" {
			return nil, fmt.Errorf("compose: positions is not a list")
		}
	}
	done := map[string]bool{}
	var kept []*yaml.Node
	for _, entry := range seq.Content {
		party := partyOf(entry)
		if only != "" && party != only {
			continue
		}
		if content, ok := positions[party]; ok {
			n, err := positionNode(content)
			if err != nil {
				return nil, err
			}
			entry = n
			done[party] = true
		}
		kept = append(kept, entry)
	}
	for _, party := range slices.Sorted(maps.Keys(positions)) {
		if done[party] || only != "" && party != only {
			continue
		}
		n, err := positionNode(positions[party])
		if err != nil {
			return nil, err
		}
		kept = append(kept, n)
	}
	seq.Content = kept
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return b.Bytes(), nil
}

// positionNode parses one position's YAML into its mapping node.
func positionNode(content []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		return nil, fmt.Errorf("position: %w", err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("position: not a YAML mapping")
	}
	return doc.Content[0], nil
}

// partyOf returns the party key of a position's mapping node.
func partyOf(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "party" {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// checkPosition checks that content is one YAML mapping whose party is
// party; the settlement's loader checks the rest.
func checkPosition(content []byte, party string) error {
	n, err := positionNode(content)
	if err != nil {
		return err
	}
	if got := partyOf(n); got != party {
		if got == "" {
			return fmt.Errorf("position: the mapping has no party key; write party: %s", party)
		}
		return fmt.Errorf("position: party is %q, but this is the position of %q", got, party)
	}
	return nil
}
