// The deal space: counts, a Pareto explorer over two party axes with the
// bargaining solutions marked, and the conflicts and relaxations.

import { api, sid } from '../api.js';
import { big, fmt, h, notice, s } from '../dom.js';

const SOLUTIONS = [
  { key: 'nash', label: 'Nash', shape: 'diamond', color: '#b42318' },
  { key: 'kalai', label: 'Kalai–Smorodinsky', shape: 'square', color: '#17723a' },
  { key: 'utilitarian', label: 'utilitarian', shape: 'triangle', color: '#9a5b00' },
];

function marker(shape, x, y, r, color, attrs = {}) {
  const a = { fill: color, stroke: '#fff', 'stroke-width': 1.5, ...attrs };
  switch (shape) {
    case 'diamond': return s('path', { d: `M${x} ${y - r}L${x + r} ${y}L${x} ${y + r}L${x - r} ${y}Z`, ...a });
    case 'square': return s('rect', { x: x - r * 0.8, y: y - r * 0.8, width: r * 1.6, height: r * 1.6, ...a });
    case 'triangle': return s('path', { d: `M${x} ${y - r}L${x + r} ${y + r * 0.8}L${x - r} ${y + r * 0.8}Z`, ...a });
    default: return s('circle', { cx: x, cy: y, r, ...a });
  }
}

function legend() {
  return h('ul', { class: 'legend' },
    h('li', {}, s('svg', { width: 14, height: 14, 'aria-hidden': 'true' }, s('circle', { cx: 7, cy: 7, r: 5, fill: '#1f5fbf', 'fill-opacity': 0.55 })), ' Pareto package'),
    SOLUTIONS.map((m) => h('li', {}, s('svg', { width: 16, height: 16, 'aria-hidden': 'true' }, marker(m.shape, 8, 8, 6, m.color)), ' ', m.label)),
    h('li', {}, s('svg', { width: 22, height: 10, 'aria-hidden': 'true' }, s('line', { x1: 0, y1: 5, x2: 22, y2: 5, class: 'res', stroke: '#b42318', 'stroke-dasharray': '4 3' })), ' reservation value'));
}

function packageDetails(entry, parties) {
  if (!entry) return h('p', { class: 'muted' }, 'Select a point to see its package.');
  return h('div', {},
    h('h3', {}, entry.label || `Pareto point ${entry.point}`),
    entry.packages && entry.packages !== '1' ? h('p', { class: 'muted' }, `${big(entry.packages)} packages give these utilities`) : null,
    h('dl', { class: 'kv' }, Object.entries(entry.package).map(([k, v]) => [h('dt', {}, k), h('dd', {}, Array.isArray(v) ? v.join(', ') : String(v))])),
    h('h3', {}, 'Utilities'),
    h('dl', { class: 'kv' }, parties.filter((p) => p in entry.utility).map((p) => [h('dt', {}, p), h('dd', {}, fmt(entry.utility[p]))])));
}

// scatter draws the Pareto entries on parties x and y.
function scatter(res, x, y, onPick) {
  const W = 640, H = 440, L = 52, R = 16, T = 16, B = 44;
  const sx = (v) => L + v * (W - L - R), sy = (v) => H - B - v * (H - T - B);
  const svg = s('svg', { class: 'chart', id: 'pareto-chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `Pareto frontier: utility of ${x} against utility of ${y}, ${res.pareto.length} points` });
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    svg.append(s('line', { class: 'grid', x1: sx(0), x2: sx(1), y1: sy(v), y2: sy(v) }),
      s('line', { class: 'grid', x1: sx(v), x2: sx(v), y1: sy(0), y2: sy(1) }),
      s('text', { x: L - 6, y: sy(v) + 4, 'text-anchor': 'end' }, fmt(v, 1)),
      s('text', { x: sx(v), y: H - B + 16, 'text-anchor': 'middle' }, fmt(v, 1)));
  }
  svg.append(s('line', { class: 'axis', x1: sx(0), x2: sx(1), y1: sy(0), y2: sy(0) }),
    s('line', { class: 'axis', x1: sx(0), x2: sx(0), y1: sy(0), y2: sy(1) }),
    s('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle' }, `utility of ${x}`),
    s('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(T + H - B) / 2})` }, `utility of ${y}`));
  const rx = res.reservation && res.reservation[x], ry = res.reservation && res.reservation[y];
  if (rx !== undefined) svg.append(s('line', { class: 'res', x1: sx(rx), x2: sx(rx), y1: sy(0), y2: sy(1) }));
  if (ry !== undefined) svg.append(s('line', { class: 'res', x1: sx(0), x2: sx(1), y1: sy(ry), y2: sy(ry) }));
  for (const e of res.pareto) {
    const c = s('circle', { class: 'pt', cx: sx(e.utility[x]), cy: sy(e.utility[y]), r: 5, tabindex: 0,
      'aria-label': `point ${e.point}: ${x} ${fmt(e.utility[x])}, ${y} ${fmt(e.utility[y])}` },
    s('title', {}, `point ${e.point}: ${x} ${fmt(e.utility[x])}, ${y} ${fmt(e.utility[y])}`));
    const pick = () => { svg.querySelectorAll('.pt.sel').forEach((p) => p.classList.remove('sel')); c.classList.add('sel'); onPick(e); };
    c.addEventListener('click', pick);
    c.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); pick(); } });
    svg.append(c);
  }
  for (const m of SOLUTIONS) {
    const sol = res[m.key];
    if (!sol) continue;
    const g = marker(m.shape, sx(sol.utility[x]), sy(sol.utility[y]), 8, m.color, { class: `solution ${m.key}`, tabindex: 0, style: 'cursor:pointer' });
    g.append(s('title', {}, `${m.label}: ${x} ${fmt(sol.utility[x])}, ${y} ${fmt(sol.utility[y])}`));
    g.addEventListener('click', () => onPick({ ...sol, label: `${m.label} solution` }));
    svg.append(g);
  }
  return svg;
}

// strip draws, for a party that sees its own utility only, where each
// listed Pareto package puts it: a dot plot over [0, 1].
function strip(res, p, onPick) {
  const W = 640, H = 260, L = 24, R = 24, T = 24, B = 44, bins = 40;
  const sx = (v) => L + v * (W - L - R);
  const svg = s('svg', { class: 'chart', id: 'pareto-chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `your utility (${p}) over ${res.pareto.length} Pareto packages` });
  for (let t = 0; t <= 10; t++) {
    const v = t / 10;
    svg.append(s('line', { class: 'grid', x1: sx(v), x2: sx(v), y1: T, y2: H - B }),
      s('text', { x: sx(v), y: H - B + 16, 'text-anchor': 'middle' }, fmt(v, 1)));
  }
  svg.append(s('line', { class: 'axis', x1: sx(0), x2: sx(1), y1: H - B, y2: H - B }),
    s('text', { x: W / 2, y: H - 6, 'text-anchor': 'middle' }, `your utility (${p}) in each Pareto package`));
  const r = res.reservation && res.reservation[p];
  if (r !== undefined) svg.append(s('line', { class: 'res', x1: sx(r), x2: sx(r), y1: T, y2: H - B }),
    s('text', { x: sx(r) + 4, y: T + 10 }, 'your reservation'));
  const stacks = new Map();
  for (const e of res.pareto) {
    const u = e.utility[p];
    const b = Math.min(bins - 1, Math.floor(u * bins));
    const k = stacks.get(b) || 0;
    stacks.set(b, k + 1);
    const c = s('circle', { class: 'pt', cx: sx((b + 0.5) / bins), cy: H - B - 7 - k * 11, r: 5, tabindex: 0 },
      s('title', {}, `point ${e.point}: ${fmt(u)}`));
    c.addEventListener('click', () => onPick(e));
    svg.append(c);
  }
  SOLUTIONS.forEach((m, i) => {
    const sol = res[m.key];
    if (!sol || sol.utility[p] === undefined) return;
    const x = sx(sol.utility[p]);
    const g = marker(m.shape, x, T + 4 + i * 18, 7, m.color, { class: `solution ${m.key}`, style: 'cursor:pointer' });
    g.append(s('title', {}, `${m.label}: ${fmt(sol.utility[p])}`));
    g.addEventListener('click', () => onPick({ ...sol, label: `${m.label} solution` }));
    svg.append(s('line', { x1: x, x2: x, y1: T + 4 + i * 18, y2: H - B, stroke: m.color, 'stroke-width': 1, 'stroke-dasharray': '2 2' }), g);
  });
  return svg;
}

function redLine(r) {
  if (r.other) return h('span', { class: 'other', dataset: { other: 'true' } }, r.message || 'a red line of another party');
  return h('span', { class: 'redline' }, h('strong', {}, r.party), ' ', h('code', {}, r.red_line),
    r.rule ? [' — ', h('code', { class: 'muted' }, r.rule)] : null,
    r.line ? h('span', { class: 'muted' }, ` (line ${r.line})`) : null);
}

export async function render(root, ctx) {
  const id = ctx.settlement.id;
  const party = ctx.who.role === 'party' ? ctx.who.party : '';
  root.append(h('h1', { id: ctx.id }, 'Deal space'));
  const status = h('div', { 'aria-live': 'polite' }, notice('info', 'Analysing the deal space…'));
  root.append(status);
  const res = await api(`${sid(id)}/deals?limit=500`);
  status.replaceChildren();
  const feasible = res.feasible === null ? null : res.feasible;
  root.append(h('ul', { class: 'stats', id: 'deal-counts' },
    [['packages', big(res.packages), 'packages'], ['feasible', feasible === null ? 'unknown' : big(feasible), 'satisfy every red line'],
      ['pareto', res.pareto_points === null ? '—' : big(res.pareto_points), 'Pareto points'],
      ['conflicts', res.conflict_count, 'minimal conflicts'], ['relaxations', res.relaxation_count, 'relaxations']]
      .map(([k, n, label]) => h('li', { dataset: { count: k } }, h('span', { class: 'n' }, n), h('span', { class: 'k' }, label)))));
  if (res.timed_out || !res.complete) root.append(notice('info', `The analysis is incomplete: ${(res.incomplete || []).join('; ') || 'a bound was reached'}.`));

  root.append(h('h2', {}, 'Pareto explorer'));
  if (!res.pareto.length) {
    root.append(notice('info', feasible === '0'
      ? 'No package satisfies every red line, so there is no frontier: the conflicts below say which red lines clash, and the relaxations which to drop.'
      : 'The frontier is empty.'));
  } else {
    const detail = h('div', { class: 'card', id: 'package-detail', 'aria-live': 'polite' }, packageDetails(null));
    const pick = (e) => detail.replaceChildren(packageDetails(e, res.parties));
    const chartBox = h('div', {});
    const explorer = h('div', { class: 'split' }, h('div', {}, chartBox, legend()), detail);
    if (party) {
      root.append(h('p', { class: 'muted' }, `You see your own utility only: each dot is one of the ${res.pareto.length} Pareto packages listed${res.pareto_points > res.pareto.length ? ` (of ${res.pareto_points})` : ''}.`));
      chartBox.append(strip(res, party, pick));
    } else {
      const parties = res.parties;
      const xs = h('select', { id: 'axis-x' }, parties.map((p, i) => h('option', { value: p, selected: i === 0 }, p)));
      const ys = h('select', { id: 'axis-y' }, parties.map((p, i) => h('option', { value: p, selected: i === 1 }, p)));
      const draw = () => chartBox.replaceChildren(scatter(res, xs.value, ys.value, pick));
      xs.addEventListener('change', draw);
      ys.addEventListener('change', draw);
      root.append(h('div', { class: 'toolbar' }, h('label', { for: 'axis-x' }, 'horizontal axis', xs), h('label', { for: 'axis-y' }, 'vertical axis', ys),
        h('span', { class: 'muted' }, `${res.pareto.length} points listed${res.pareto_points > res.pareto.length ? ` of ${res.pareto_points}` : ''}; the frontier is over all ${res.parties.length} parties, so a point may look dominated in two of them.`)));
      draw();
    }
    root.append(explorer);
    const sols = SOLUTIONS.filter((m) => res[m.key]);
    if (sols.length) {
      root.append(h('div', { class: 'scroll' }, h('table', { id: 'solutions' },
        h('caption', {}, 'Bargaining solutions'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'solution'), res.parties.filter((p) => !party || p === party).map((p) => h('th', { scope: 'col', class: 'num' }, p)))),
        h('tbody', {}, sols.map((m) => h('tr', {}, h('th', { scope: 'row' }, m.label),
          res.parties.filter((p) => !party || p === party).map((p) => h('td', { class: 'num' }, fmt(res[m.key].utility[p])))))))));
    }
  }

  root.append(h('h2', {}, 'Conflicts'));
  if (!res.conflicts.length) root.append(h('p', { class: 'muted' }, 'No red lines clash.'));
  else root.append(h('p', { class: 'muted' }, 'Each row is a minimal set of red lines that no package satisfies together.'),
    h('div', { class: 'scroll' }, h('table', { id: 'conflicts' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, 'red lines that cannot all hold'))),
      h('tbody', {}, res.conflicts.map((c, i) => h('tr', {}, h('td', { class: 'num' }, i + 1),
        h('td', {}, h('ul', {}, c.map((r) => h('li', {}, redLine(r)))))))))));
  if (!res.conflicts_complete) root.append(h('p', { class: 'muted' }, 'More conflicts exist than are listed.'));

  root.append(h('h2', {}, 'Relaxations'));
  if (!res.relaxations.length) root.append(h('p', { class: 'muted' }, 'None needed.'));
  else root.append(h('p', { class: 'muted' }, 'Each row is a minimal set of red lines whose dropping opens packages.'),
    h('div', { class: 'scroll' }, h('table', { id: 'relaxations' },
      h('thead', {}, h('tr', {}, ['drop', 'size', 'opens (packages)'].map((c, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, c)))),
      h('tbody', {}, res.relaxations.map((r) => h('tr', {},
        h('td', {}, h('ul', {}, r.drop.map((x) => h('li', {}, redLine(x))))),
        h('td', { class: 'num' }, r.size), h('td', { class: 'num' }, big(r.opens))))))));
}
