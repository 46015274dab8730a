// Monitoring: a map of the settlement's zones, line and stored events
// (Leaflet, no tile server: everything comes from entente serve), the
// violations per day, the triggers, and an upload of event files.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { api, ApiError, sid } from '../api.js';
import { big, fmt, h, notice, s } from '../dom.js';

const SIDE_COLORS = ['#b42318', '#1f5fbf', '#9a5b00', '#17723a', '#7a4fc2', '#0e7490'];

function canWatch(role) {
  return role === 'mediator' || role === 'monitor' || role === 'party';
}

function zoneStyle(f) {
  if (f.properties.kind === 'line') return { color: '#b42318', weight: 3, className: 'feature line' };
  return { color: '#1f5fbf', weight: 1.5, fillColor: '#1f5fbf', fillOpacity: 0.15, className: 'feature zone' };
}

function featureName(f) {
  const p = f.properties || {};
  return p.id || p.name || p.zone || p.kind;
}

// graticule draws a line every degree of latitude and longitude, labelled
// at the view's west and south edges: with no tile server, it is the
// map's frame of reference.
function graticule(map) {
  const g = L.layerGroup();
  const style = { color: '#9aa9bd', weight: 0.6, interactive: false, className: 'grat-line' };
  for (let lat = 36; lat <= 60; lat++) g.addLayer(L.polyline([[lat, 14], [lat, 50]], style));
  for (let lon = 14; lon <= 50; lon++) g.addLayer(L.polyline([[36, lon], [60, lon]], style));
  const labels = L.layerGroup();
  const label = (ll, text) => labels.addLayer(L.marker(ll, { icon: L.divIcon({ className: 'grat', html: text, iconSize: null }), interactive: false, keyboard: false }));
  const place = () => {
    labels.clearLayers();
    const b = map.getBounds(), step = map.getZoom() >= 7 ? 1 : 2;
    const w = b.getWest() + (b.getEast() - b.getWest()) * 0.005, so = b.getSouth() + (b.getNorth() - b.getSouth()) * 0.1;
    for (let lat = Math.ceil(b.getSouth()); lat <= b.getNorth(); lat++) if (lat % step === 0) label([lat, w], `${lat}°N`);
    for (let lon = Math.ceil(b.getWest()); lon <= b.getEast(); lon++) if (lon % step === 0) label([so, lon], `${lon}°E`);
  };
  map.on('moveend zoomend', place);
  g.addLayer(labels);
  return g;
}

function drawMap(el, zones, events) {
  const map = L.map(el, { preferCanvas: false, attributionControl: true, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution('zones and line: the settlement; events: the stored data');
  const zl = L.geoJSON(zones, {
    style: zoneStyle,
    onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.kind}: ${featureName(f)}`,
      f.properties.kind === 'zone' ? { permanent: true, direction: 'right', className: 'zone-label' } : {}),
  }).addTo(map);
  graticule(map).addTo(map);
  const violating = L.layerGroup(), other = L.layerGroup();
  for (const e of events) {
    const v = e.violations.length > 0;
    const m = L.circleMarker([e.lat, e.lon], {
      radius: Math.min(12, 3 + Math.sqrt(e.fatalities || 0)),
      color: v ? '#7a1209' : '#33415c', weight: 1, fillColor: v ? '#e03e2d' : '#7c8aa5', fillOpacity: v ? 0.85 : 0.45,
      className: v ? 'event violating' : 'event',
    });
    m.bindPopup(() => {
      const d = h('div', {}, h('strong', {}, `${e.source} ${e.id}`), h('br'), `${e.date} · side ${e.side || 'unattributed'}`,
        h('br'), `zone ${e.zone || 'none'} · ${e.fatalities} fatalities`,
        v ? [h('br'), 'violates ', e.violations.join(', ')] : null);
      return d;
    });
    (v ? violating : other).addLayer(m);
  }
  other.addTo(map);
  violating.addTo(map);
  L.control.layers(null, events.length ? { 'zones and line': zl, 'events': other, 'violations': violating } : { 'zones and line': zl }, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  let bounds = zl.getBounds();
  for (const e of events) bounds = bounds.isValid() ? bounds.extend([e.lat, e.lon]) : L.latLngBounds([[e.lat, e.lon], [e.lat, e.lon]]);
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  else map.setView([48.5, 32], 5);
  return map;
}

function days(from, to) {
  const out = [];
  const d = new Date(from + 'T00:00:00Z'), end = new Date(to + 'T00:00:00Z');
  while (d <= end && out.length < 5000) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

// perDay draws the violations per day, stacked by side.
function perDay(report) {
  const v = report.violations;
  const sides = Object.keys(v.by_side_day || {});
  const keys = Object.keys(v.by_day || {}).sort();
  if (!keys.length) return notice('info', 'No violations in this period.');
  const all = days(keys[0], keys[keys.length - 1]);
  const max = Math.max(...keys.map((k) => v.by_day[k]));
  const W = 900, H = 260, L0 = 40, R = 10, T = 12, B = 40;
  const bw = (W - L0 - R) / all.length;
  const sy = (n) => (H - B) - (n / max) * (H - T - B);
  const svg = s('svg', { class: 'chart', id: 'violations-chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `violations per day from ${keys[0]} to ${keys[keys.length - 1]}, at most ${max} a day` });
  const step = Math.max(1, Math.ceil(max / 5));
  for (let n = 0; n <= max; n += step) {
    svg.append(s('line', { class: 'grid', x1: L0, x2: W - R, y1: sy(n), y2: sy(n) }), s('text', { x: L0 - 6, y: sy(n) + 4, 'text-anchor': 'end' }, n));
  }
  all.forEach((day, i) => {
    let base = 0;
    const x = L0 + i * bw;
    const parts = sides.length ? sides.map((sd, j) => [sd, (v.by_side_day[sd] || {})[day] || 0, j]) : [['', v.by_day[day] || 0, 0]];
    const attributed = parts.reduce((a, p) => a + p[1], 0);
    const rest = (v.by_day[day] || 0) - attributed;
    if (rest > 0) parts.push(['unattributed', rest, -1]);
    for (const [sd, n, j] of parts) {
      if (!n) continue;
      svg.append(s('rect', { class: 'bar', x, width: Math.max(bw - 0.5, 0.8), y: sy(base + n), height: sy(base) - sy(base + n),
        fill: j < 0 ? '#8a93a3' : SIDE_COLORS[j % SIDE_COLORS.length], dataset: { day, side: sd, n } },
      s('title', {}, `${day}${sd ? ' · ' + sd : ''}: ${n}`)));
      base += n;
    }
    if (day.endsWith('-01') && (all.length < 120 || /-(01|04|07|10)-01$/.test(day))) {
      svg.append(s('line', { class: 'axis', x1: x, x2: x, y1: H - B, y2: H - B + 4 }),
        s('text', { x, y: H - B + 16, 'text-anchor': 'middle' }, day.slice(0, 7)));
    }
  });
  svg.append(s('line', { class: 'axis', x1: L0, x2: W - R, y1: H - B, y2: H - B }));
  return h('div', {}, svg, h('ul', { class: 'legend' }, sides.map((sd, j) => h('li', {},
    s('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 12, height: 12, fill: SIDE_COLORS[j % SIDE_COLORS.length] })), ` ${sd}`))));
}

function countTable(caption, m, id) {
  const rows = Object.entries(m || {});
  return h('table', { id }, h('caption', {}, caption),
    h('tbody', {}, rows.map(([k, n]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'num' }, big(n))))));
}

function uploadForm(ctx, done) {
  const file = h('input', { type: 'file', id: 'events-file', accept: '.csv,.jsonl,.json,text/csv' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'toolbar', id: 'upload' },
    h('label', { for: 'events-file' }, 'Event file (UCDP GED CSV, ACLED CSV or JSON lines)', file),
    h('button', { type: 'submit' }, 'Ingest'), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return;
    status.replaceChildren(notice('info', `Ingesting ${f.name}…`));
    try {
      const r = await api(`${sid(ctx.settlement.id)}/events?name=${encodeURIComponent(f.name)}`, { method: 'POST', raw: await f.arrayBuffer() });
      const x = r.files[0];
      status.replaceChildren(notice('ok', `${x.file}: ${x.records} records, ${x.added} added, ${x.updated} updated${x.duplicate ? ' (already stored)' : ''}.`));
      setTimeout(done, 800);
    } catch (err) {
      status.replaceChildren(notice('error', err.message));
    }
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Ingest events'), form);
}

export async function render(root, ctx) {
  const id = ctx.settlement.id;
  root.append(h('h1', { id: ctx.id }, 'Monitoring'));
  const watch = canWatch(ctx.who.role);
  const q = new URLSearchParams(sessionStorage.getItem(`entente.range.${id}`) || '');
  const from = h('input', { type: 'date', id: 'range-from', value: q.get('from') || '' });
  const to = h('input', { type: 'date', id: 'range-to', value: q.get('to') || '' });
  if (watch) {
    const form = h('form', { class: 'toolbar' }, h('label', { for: 'range-from' }, 'from', from), h('label', { for: 'range-to' }, 'to', to),
      h('button', { type: 'submit' }, 'Show'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const p = new URLSearchParams();
      if (from.value) p.set('from', from.value);
      if (to.value) p.set('to', to.value);
      sessionStorage.setItem(`entente.range.${id}`, p.toString());
      ctx.reload();
    });
    root.append(form);
    if (ctx.who.role !== 'party') root.append(uploadForm(ctx, ctx.reload));
  }
  const range = new URLSearchParams();
  if (from.value) range.set('from', from.value);
  if (to.value) range.set('to', to.value);
  let zones = { type: 'FeatureCollection', features: [] }, events = [], report = null, problem = null;
  try {
    zones = await api(`${sid(id)}/zones`);
    if (watch) {
      [events, report] = await Promise.all([
        api(`${sid(id)}/events?${range}&limit=5000`),
        api(`${sid(id)}/report?${range}&limit=20`),
      ]);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) problem = e.message;
    else throw e;
  }
  if (problem) root.append(notice('info', problem));
  const nz = zones.features.filter((f) => f.properties.kind === 'zone').length;
  const nl = zones.features.filter((f) => f.properties.kind === 'line').length;
  root.append(h('ul', { class: 'stats', id: 'monitor-counts' },
    h('li', { dataset: { count: 'zones' } }, h('span', { class: 'n' }, nz), h('span', { class: 'k' }, 'zones')),
    h('li', { dataset: { count: 'line' } }, h('span', { class: 'n' }, nl), h('span', { class: 'k' }, 'line features')),
    watch ? h('li', { dataset: { count: 'events' } }, h('span', { class: 'n' }, big(events.length)), h('span', { class: 'k' }, events.length >= 5000 ? 'events (first 5,000 on the map)' : 'events on the map')) : null,
    report ? h('li', { dataset: { count: 'violations' } }, h('span', { class: 'n' }, big(report.violations.total)), h('span', { class: 'k' }, 'violations')) : null));
  const mapEl = h('div', { id: 'map', role: 'region', 'aria-label': 'map of zones, line and events' });
  root.append(mapEl);
  if (!watch) root.append(h('p', { class: 'muted' }, 'Events and reports are for the mediator, monitors and parties; the zones and line are public.'));
  // Leaflet measures its container, so draw once it is in the page.
  requestAnimationFrame(() => { root.leaflet = drawMap(mapEl, zones, events); });
  if (!report) return;
  root.append(h('h2', {}, 'Violations per day'), perDay(report));
  root.append(h('h2', {}, 'Triggers'), h('div', { class: 'scroll' }, h('table', { id: 'triggers' },
    h('thead', {}, h('tr', {}, ['trigger', 'side', 'threshold', 'fired', 'first', 'peak', 'guarantee'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, report.triggers.map((t) => h('tr', {},
      h('td', {}, t.id), h('td', {}, t.side), h('td', {}, `${t.threshold} in ${t.window}`),
      h('td', {}, h('span', { class: `verdict ${t.fired ? 'bad' : 'good'}` }, t.fired ? 'fired' : 'no')),
      h('td', {}, t.first || '—'), h('td', {}, t.peak_day ? `${t.peak} (${t.peak_day})` : fmt(t.peak)), h('td', {}, t.guarantee || '—')))))));
  root.append(h('div', { class: 'grid' },
    countTable('Violations by side', report.violations.by_side, 'by-side'),
    countTable('Violations by zone', report.violations.by_zone, 'by-zone'),
    countTable('Violations by rule', report.violations.by_rule, 'by-rule'),
    countTable('Events by source', report.sources, 'by-source')));
  if (report.notes && report.notes.length) root.append(h('ul', { class: 'muted' }, report.notes.map((n) => h('li', {}, n))));
}
