// The log: its size and root, the signed checkpoints, the latest leaves,
// a button to sign a checkpoint (the mediator) and to verify the log.

import { api } from '../api.js';
import { big, h, notice } from '../dom.js';

function when(t) {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function verifyResult(v) {
  return h('div', { id: 'verify-result' },
    v.ok ? notice('ok', `The log verifies: ${big(v.leaves)} leaves, root ${v.root}, ${v.checkpoints.length} ${v.checkpoints.length === 1 ? 'checkpoint' : 'checkpoints'} consistent.`)
      : notice('error', `The log does not verify: ${v.problems.length} problems.`),
    v.problems.length ? h('ul', {}, v.problems.map((p) => h('li', {}, typeof p === 'string' ? p : JSON.stringify(p)))) : null,
    v.checkpoints.length ? h('div', { class: 'scroll' }, h('table', {},
      h('caption', {}, 'Checkpoints verified'),
      h('thead', {}, h('tr', {}, ['checkpoint', 'size', 'signers', 'ok'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, v.checkpoints.map((c) => h('tr', {}, h('td', {}, c.name), h('td', { class: 'num' }, c.size),
        h('td', {}, c.signers.join(', ')), h('td', {}, c.ok ? 'ok' : 'fails')))))) : null);
}

export async function render(root, ctx) {
  root.append(h('h1', { id: ctx.id }, 'Log'));
  const [status, cps] = await Promise.all([api('/api/log?limit=50'), api('/api/log/checkpoints')]);
  root.append(h('ul', { class: 'stats', id: 'log-status' },
    h('li', { dataset: { count: 'size' } }, h('span', { class: 'n' }, big(status.size)), h('span', { class: 'k' }, 'leaves')),
    h('li', { dataset: { count: 'checkpoints' } }, h('span', { class: 'n' }, cps.length), h('span', { class: 'k' }, 'checkpoints')),
    h('li', {}, h('span', { class: 'n mono', style: 'font-size:0.85rem' }, status.root || '—'), h('span', { class: 'k' }, 'root hash'))));
  const out = h('div', { 'aria-live': 'polite' });
  const verify = h('button', { type: 'button', id: 'verify', onclick: async () => {
    out.replaceChildren(notice('info', 'Verifying…'));
    try {
      out.replaceChildren(verifyResult(await api('/api/log/verify')));
    } catch (e) {
      out.replaceChildren(notice('error', e.message));
    }
  } }, 'Verify the log');
  const tools = h('div', { class: 'toolbar' }, verify);
  if (ctx.who.role === 'mediator') {
    tools.append(h('button', { type: 'button', class: 'secondary', id: 'sign-checkpoint', onclick: async () => {
      out.replaceChildren(notice('info', 'Signing…'));
      try {
        const c = await api('/api/log/checkpoint', { method: 'POST' });
        out.replaceChildren(notice('ok', `Signed a checkpoint of size ${c.size}.`));
        setTimeout(ctx.reload, 600);
      } catch (e) {
        out.replaceChildren(notice('error', e.message));
      }
    } }, 'Sign a checkpoint'));
  }
  root.append(tools, out);

  root.append(h('h2', {}, 'Checkpoints'));
  if (!cps.length) root.append(h('p', { class: 'muted' }, 'No checkpoint is signed yet.'));
  else root.append(h('div', { class: 'scroll' }, h('table', { id: 'checkpoints' },
    h('thead', {}, h('tr', {}, ['size', 'root', 'signed note'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, cps.slice().reverse().map((c) => h('tr', {}, h('td', { class: 'num' }, c.size), h('td', { class: 'mono' }, c.root),
      h('td', {}, h('details', {}, h('summary', {}, c.origin), h('pre', {}, c.note)))))))));

  root.append(h('h2', {}, 'Leaves'), status.size > status.leaves.length ? h('p', { class: 'muted' }, `The last ${status.leaves.length} of ${big(status.size)} leaves.`) : null);
  const detail = h('div', { class: 'card', id: 'leaf-detail', hidden: true, 'aria-live': 'polite' });
  root.append(h('div', { class: 'scroll' }, h('table', { id: 'leaves' },
    h('thead', {}, h('tr', {}, ['#', 'kind', 'time', 'bytes', 'content SHA-256', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, status.leaves.map((l) => h('tr', {}, h('td', { class: 'num' }, l.index), h('td', {}, l.kind), h('td', {}, when(l.time)),
      h('td', { class: 'num' }, l.bytes), h('td', { class: 'mono' }, l.content_sha256.slice(0, 16) + '…'),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: async () => {
        detail.hidden = false;
        try {
          const leaf = await api(`/api/log/leaves/${l.index}`);
          detail.replaceChildren(h('h3', {}, `Leaf ${leaf.index} (${leaf.kind})`), h('pre', { class: 'scroll' }, JSON.stringify(leaf.content, null, 2)));
        } catch (e) {
          detail.replaceChildren(notice('error', e.message));
        }
      } }, 'show'))))))), detail);
}
