package settlement

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// MaxGeoFileSize is the largest zones or line file the loader reads (64 MiB).
const MaxGeoFileSize = 64 << 20

// loadGeo reads the monitoring zones and line files named by the
// settlement, relative to the file that names them, and records their
// features or a finding at the key that names them.
func (l *loader) loadGeo(s *Settlement) {
	m := s.Monitoring
	if m == nil {
		return
	}
	if m.Zones != "" {
		fc := l.readGeo(m.ZonesPath, m.At("zones"), "zones")
		if fc != nil {
			seen := map[string]bool{}
			polygons := 0
			for i, f := range fc.Features {
				switch f.Geometry.(type) {
				case orb.Polygon, orb.MultiPolygon:
					polygons++
				default:
					l.geoFinding(m.At("zones"), "feature %d of %s is a %s; zones are Polygon or MultiPolygon features", i, m.Zones, geomType(f.Geometry))
					continue
				}
				id, _ := f.Properties["id"].(string)
				if id == "" {
					l.geoFinding(m.At("zones"), "feature %d of %s has no properties.id (a string naming the zone)", i, m.Zones)
					continue
				}
				if seen[id] {
					l.geoFinding(m.At("zones"), "zone id %q appears twice in %s", id, m.Zones)
					continue
				}
				seen[id] = true
				m.ZoneIDs = append(m.ZoneIDs, id)
			}
			if polygons == 0 && len(fc.Features) == 0 {
				l.geoFinding(m.At("zones"), "%s holds no polygons", m.Zones)
			}
			m.ZoneFeatures = fc
		}
	}
	if m.Line != "" {
		fc := l.readGeo(m.LinePath, m.At("line"), "line")
		if fc != nil {
			lines := 0
			for _, f := range fc.Features {
				switch f.Geometry.(type) {
				case orb.LineString, orb.MultiLineString:
					lines++
				}
			}
			if lines == 0 {
				l.geoFinding(m.At("line"), "%s holds no LineString or MultiLineString feature: the line of contact is a line", m.Line)
			}
			m.LineFeatures = fc
		}
	}
}

func geomType(g orb.Geometry) string {
	if g == nil {
		return "feature without geometry"
	}
	return g.GeoJSONType()
}

func (l *loader) geoFinding(p Pos, format string, args ...any) {
	l.findings = append(l.findings, Finding{Severity: Error, Code: "zone-file", Pos: p,
		Message: fmt.Sprintf(format, args...), Hint: "a GeoJSON FeatureCollection (RFC 7946), path relative to the settlement file"})
}

func (l *loader) readGeo(path string, at Pos, key string) (fc *geojson.FeatureCollection) {
	opts := l.opts
	opts.MaxFileSize = MaxGeoFileSize
	src, err := readLimited(path, opts)
	if err != nil {
		l.geoFinding(at, "cannot read %s file: %v", key, err)
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			l.geoFinding(at, "%s: malformed GeoJSON: %v", path, r)
			fc = nil
		}
	}()
	fc, err = geojson.UnmarshalFeatureCollection(src)
	if err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "geojson: ")
		l.geoFinding(at, "%s: not a GeoJSON FeatureCollection: %s", path, msg)
		return nil
	}
	return fc
}
