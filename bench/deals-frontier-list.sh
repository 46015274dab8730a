#!/usr/bin/env bash
# `entente deals --json` on a settlement whose Pareto frontier holds
# 2.7e12 packages on 3 utility vectors (three parties value only x; twelve
# issues of ten options nobody values follow), listing the default 20
# packages side by side with --limit 0, which lists the first 200,000 (the
# cap) and exits 1. Run from anywhere:
#   bash bench/deals-frontier-list.sh
# Prints one line per command: wall seconds, peak memory, bytes of JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
go build -o "$work/entente" ./cmd/entente
{
	printf 'entente: 1\nid: many\nparties:\n'
	for p in A B C; do printf '  - {id: %s, name: %s, roles: [belligerent]}\n' "$p" "$p"; done
	printf 'issues:\n  - {id: x, options: [a, b, c]}\n'
	for i in $(seq 0 11); do printf '  - {id: u%d, options: [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9]}\n' "$i"; done
	cat <<'YAML'
positions:
  - party: A
    red_lines: [{id: not-o0, rule: 'u0 != "o0"'}]
    utility: {weights: {x: 1}, values: {x: {a: 1, b: 0.5}}}
    reservation: 0.1
  - party: B
    utility: {weights: {x: 1}, values: {x: {b: 0.5, c: 1}}}
    reservation: 0.1
  - party: C
    utility: {weights: {x: 1}, values: {x: {b: 0.5, c: 1}}}
    reservation: 0.1
YAML
} > "$work/many.yaml"
for limit in 20 0; do
	/usr/bin/time -f "%e %M" -o "$work/time" "$work/entente" deals "$work/many.yaml" --json --limit "$limit" \
		> "$work/out.json" 2>/dev/null || true
	read -r wall kb < <(tail -1 "$work/time")
	echo "--limit $limit: ${wall} s, $((kb / 1024)) MiB peak, $(wc -c < "$work/out.json") bytes of JSON"
done
