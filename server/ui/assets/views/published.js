// Published results: what every observer may read, and for the mediator
// buttons to publish the current deals, guarantees or report.

import { api, sid } from '../api.js';
import { big, h, notice } from '../dom.js';

function summary(kind, r) {
  if (!r) return '';
  switch (kind) {
    case 'deals': return `${big(r.feasible ?? '?')} feasible of ${big(r.packages)} packages, ${big(r.pareto_points ?? 0)} Pareto points, ${r.conflict_count} conflicts`;
    case 'guarantees': return `${r.guarantees.length} guarantees; credible: ${r.guarantees.filter((g) => g.credibility && g.credibility.credible).map((g) => g.id).join(', ') || 'none'}`;
    case 'report': return `${big(r.events)} events, ${big(r.violations ? r.violations.total : 0)} violations`;
    default: return '';
  }
}

export async function render(root, ctx) {
  const id = ctx.settlement.id;
  root.append(h('h1', { id: ctx.id }, 'Published results'));
  if (ctx.who.role === 'mediator') {
    const status = h('div', { 'aria-live': 'polite' });
    const btn = (kind) => h('button', {
      type: 'button', class: 'secondary', id: `publish-${kind}`,
      onclick: async () => {
        status.replaceChildren(notice('info', `Publishing the ${kind}…`));
        try {
          const p = await api(`${sid(id)}/publish`, { method: 'POST', body: { kind } });
          status.replaceChildren(notice('ok', `Published ${kind} as publication ${p.id} (log leaf ${p.log_index}).`));
          setTimeout(ctx.reload, 600);
        } catch (e) {
          status.replaceChildren(notice('error', e.message));
        }
      },
    }, `Publish ${kind}`);
    root.append(h('div', { class: 'toolbar' }, btn('deals'), btn('guarantees'), btn('report')),
      h('p', { class: 'muted' }, 'A published deal space is redacted of every position; everything published is logged.'), status);
  }
  const pubs = await api(`${sid(id)}/published`);
  if (!pubs.length) {
    root.append(notice('info', 'Nothing is published for this settlement yet.'));
    return;
  }
  root.append(h('div', { class: 'scroll' }, h('table', { id: 'publications' },
    h('thead', {}, h('tr', {}, ['#', 'kind', 'time', 'log leaf', 'summary', 'content'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, pubs.slice().reverse().map((p) => h('tr', {},
      h('td', {}, p.id), h('td', {}, p.kind), h('td', {}, new Date(p.time).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'),
      h('td', {}, p.log_index >= 0 ? p.log_index : '—'), h('td', {}, summary(p.kind, p.content && p.content.result)),
      h('td', {}, h('details', {}, h('summary', {}, 'JSON'), h('pre', { class: 'scroll' }, JSON.stringify(p.content, null, 2))))))))));
}
