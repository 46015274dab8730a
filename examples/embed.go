// Package examples holds the example settlements, embedded so that
// entente serve can load ukraine-2025 on its first start.
package examples

import "embed"

// FS holds the ukraine-2025 settlement and the GeoJSON files it includes.
//
//go:embed ukraine-2025/settlement.yaml ukraine-2025/zones.geojson ukraine-2025/line.geojson
var FS embed.FS
