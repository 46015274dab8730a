// Guarantees: per guarantee, the power of each voter (Banzhaf and
// Shapley–Shubik) as bars, veto players and minimal winning coalitions;
// the credibility game's outcome with a slider per cost that shows the
// thresholds at which the outcome, and each guarantor's response, change.

import { api, sid } from '../api.js';
import { big, fmt, h, notice, yesno } from '../dom.js';

function bars(title, values, exact, cls) {
  const voters = Object.keys(values);
  return h('div', {},
    h('h4', {}, title),
    h('div', { class: 'bars', role: 'list', 'aria-label': title },
      voters.map((v) => h('div', { role: 'listitem', style: 'display:contents' },
        h('span', {}, v),
        h('div', { class: 'track', 'aria-hidden': 'true' }, h('div', { class: `fill ${cls}`, style: `width:${(values[v] * 100).toFixed(1)}%` })),
        h('span', { class: 'val', title: exact ? exact[v] : '' }, exact && exact[v] ? exact[v] : fmt(values[v]))))));
}

function inside(v, iv) {
  const lo = iv.from === null ? -Infinity : iv.from.value;
  const hi = iv.to === null ? Infinity : iv.to.value;
  return (v > lo || (iv.from_closed && v === lo)) && (v < hi || (iv.to_closed && v === hi));
}

function outcomeText(o) {
  return h('span', { class: 'outcome' },
    'attack ', h('strong', {}, yesno(o.attack)), ' · activated ', h('strong', {}, yesno(o.activated)),
    ' · responders ', h('strong', { class: 'responders' }, o.responders.length ? o.responders.join(', ') : 'none'),
    ' · deters ', h('strong', { class: `verdict ${o.deters ? 'good' : 'bad'}` }, yesno(o.deters)));
}

// changes describes each boundary between consecutive intervals, as the
// cost rises past it: who stops or starts responding, and whether the
// attack or deterrence flips.
function changes(th, attacker) {
  const ivs = th.intervals;
  const list = (ps) => (ps.length < 2 ? ps.join('') : `${ps.slice(0, -1).join(', ')} and ${ps[ps.length - 1]}`);
  const out = [];
  for (let i = 0; i + 1 < ivs.length; i++) {
    const a = ivs[i], b = ivs[i + 1];
    const at = a.to || b.from;
    if (!at) continue;
    const said = [];
    const stop = a.responders.filter((p) => !b.responders.includes(p));
    const start = b.responders.filter((p) => !a.responders.includes(p));
    if (stop.length) said.push(`${list(stop)} ${stop.length > 1 ? 'stop' : 'stops'} responding`);
    if (start.length) said.push(`${list(start)} ${start.length > 1 ? 'start' : 'starts'} responding`);
    if (a.attack !== b.attack) said.push(b.attack ? `${attacker} attacks` : `${attacker} holds back`);
    if (a.activated !== b.activated) said.push(b.activated ? 'the guarantee is activated' : 'the guarantee is not activated');
    if (a.deters !== b.deters) said.push(b.deters ? 'the guarantee deters' : 'the guarantee no longer deters');
    else if (a.credible !== b.credible) said.push(b.credible ? 'the guarantee becomes credible' : 'the guarantee is no longer credible');
    if (said.length) out.push({ at: at.value, exact: at.exact, past: a.to_closed ? 'above' : 'from', text: said.join('; ') });
  }
  return out;
}

function slider(g, th, i, attacker) {
  const pts = [th.value.value];
  for (const iv of th.intervals) {
    if (iv.from) pts.push(iv.from.value);
    if (iv.to) pts.push(iv.to.value);
  }
  let lo = Math.min(...pts), hi = Math.max(...pts);
  const span = hi - lo || Math.abs(th.value.value) || 1;
  lo -= span * 0.5;
  hi += span * 0.5;
  const id = `cost-${g.id}-${i}`;
  const input = h('input', { type: 'range', id, min: lo, max: hi, step: (hi - lo) / 400, value: th.value.value, 'aria-describedby': `${id}-out` });
  const readout = h('div', { id: `${id}-out`, class: 'readout', 'aria-live': 'polite' });
  const pos = (v) => `${((v - lo) / (hi - lo)) * 100}%`;
  const list = changes(th, attacker);
  const update = () => {
    const v = Number(input.value);
    const iv = th.intervals.find((x) => inside(v, x)) || th.intervals[th.intervals.length - 1];
    readout.replaceChildren(h('span', { class: 'mono' }, `${th.party}.${th.key} = ${fmt(v, 2)}`),
      v === th.value.value ? h('span', { class: 'muted' }, ' (the settlement’s value)') : '', ': ', outcomeText(iv));
  };
  input.addEventListener('input', update);
  update();
  return h('div', { class: 'slider', dataset: { party: th.party, key: th.key } },
    h('label', { for: id }, `${th.party}: ${th.key}`, h('span', { class: 'muted' }, ` (now ${th.value.exact})`)),
    input,
    h('div', { class: 'ticks', 'aria-hidden': 'true' },
      list.map((c) => h('span', { style: `left:${pos(c.at)}` }, c.exact))),
    readout,
    list.length
      ? h('ul', { class: 'thresholds' }, list.map((c) => h('li', {}, `${c.past} `, h('strong', {}, c.exact), ': ', c.text)))
      : h('p', { class: 'muted' }, 'No value of this cost changes the outcome.'));
}

function card(g) {
  const cr = g.credibility;
  return h('article', { class: 'card guarantee', id: `g-${g.id}`, 'aria-labelledby': `g-${g.id}-t` },
    h('h2', { id: `g-${g.id}-t` }, g.id, g.title ? h('span', { class: 'muted' }, ` — ${g.title}`) : null),
    h('dl', { class: 'kv' },
      h('dt', {}, 'decision rule'), h('dd', {}, g.rule),
      h('dt', {}, 'deters'), h('dd', {}, g.deters || '—'),
      h('dt', {}, 'can activate'), h('dd', {}, yesno(g.can_activate)),
      h('dt', {}, 'veto players'), h('dd', { class: 'veto-players' }, g.veto_players.length ? g.veto_players.map((p) => h('span', { class: 'tag veto' }, p)) : 'none',
        g.deterred_veto ? h('span', { class: 'verdict bad' }, ' the deterred party holds a veto') : null),
      h('dt', {}, 'minimal winning coalitions'),
      h('dd', { class: 'mwc' }, g.minimal_winning_coalitions.length
        ? g.minimal_winning_coalitions.map((c) => h('div', {}, '{', c.join(', '), '}'))
        : 'none',
      g.minimal_winning_complete ? null : h('span', { class: 'muted' }, ` (${big(g.minimal_winning_count)} in all; first ${g.minimal_winning_coalitions.length} shown)`)),
      g.winning_coalitions ? [h('dt', {}, 'winning coalitions'), h('dd', {}, big(g.winning_coalitions))] : null),
    g.power_computed
      ? h('div', { class: 'grid power' }, bars('Banzhaf index', g.banzhaf, g.exact && g.exact.banzhaf, 'bz'),
        bars('Shapley–Shubik index', g.shapley_shubik, g.exact && g.exact.shapley_shubik, 'ss'))
      : h('p', { class: 'muted' }, 'Power indices were not computed.'),
    h('h3', {}, 'Credibility'),
    cr
      ? h('div', { class: 'credibility' },
        h('p', {}, `If ${cr.attacker} weighs an attack (guarantors decide in the order ${cr.order.join(', ')}): `, outcomeText(cr),
          ' — ', h('span', { class: `verdict ${cr.credible ? 'good' : 'bad'}` }, cr.credible ? 'credible' : 'not credible')),
        cr.thresholds.length ? h('p', { class: 'muted' }, 'Move a cost to see the outcome at other values; the marks are the thresholds.') : null,
        h('div', { class: 'sliders' }, cr.thresholds.map((th, i) => slider(g, th, i, cr.attacker))))
      : h('p', { class: 'muted' }, g.credibility_computed ? 'No credibility game.' : 'The credibility game was not computed.'),
    g.credibility_missing && g.credibility_missing.length
      ? h('p', { class: 'muted' }, 'Costs missing: ', g.credibility_missing.map((m) => `${m.party}${m.aggressor ? ' (aggressor)' : ''}: ${m.keys.join(', ')}`).join('; '))
      : null,
    g.notes && g.notes.length ? h('ul', { class: 'muted notes' }, g.notes.map((n) => h('li', {}, n))) : null);
}

export async function render(root, ctx) {
  root.append(h('h1', { id: ctx.id }, 'Guarantees'));
  const res = await api(`${sid(ctx.settlement.id)}/guarantees`);
  if (!res.guarantees.length) {
    root.append(notice('info', 'The settlement has no guarantees.'));
    return;
  }
  root.append(h('ul', { class: 'stats' },
    h('li', {}, h('span', { class: 'n' }, res.guarantees.length), h('span', { class: 'k' }, 'guarantees')),
    h('li', {}, h('span', { class: 'n' }, res.guarantees.filter((g) => g.credibility && g.credibility.credible).length), h('span', { class: 'k' }, 'credible'))),
  ...res.guarantees.map(card));
}
