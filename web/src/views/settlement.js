// The settlement view: the source as analysed, with line numbers and the
// check findings shown at their lines; a form to revise a position.

import { api, ApiError, sid } from '../api.js';
import { h, notice } from '../dom.js';

function findingBox(f) {
  return h('div', { class: `finding-at ${f.severity}`, dataset: { code: f.code, line: f.line } },
    h('span', { class: `sev ${f.severity}` }, f.severity), ' ',
    h('code', { class: 'code' }, f.code), ': ', f.message,
    f.hint ? h('div', { class: 'hint' }, 'hint: ', f.hint) : null);
}

export async function render(root, ctx) {
  const id = ctx.settlement.id;
  const [doc, report] = await Promise.all([api(sid(id)), api(`${sid(id)}/check`)]);
  const findings = report.findings || [];
  const main = `${id}/settlement.yaml`;
  const atLine = new Map();
  const elsewhere = [];
  for (const f of findings) {
    if (f.file === main && f.line > 0) {
      if (!atLine.has(f.line)) atLine.set(f.line, []);
      atLine.get(f.line).push(f);
    } else elsewhere.push(f);
  }
  const lines = doc.source.replace(/\n$/, '').split('\n');
  const jump = (n) => {
    const el = root.querySelector(`#L${n}`);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.querySelector('.no').focus();
    }
  };
  root.append(
    h('h1', { id: ctx.id }, ctx.settlement.title || id),
    h('p', { class: 'muted' }, `${id}, version ${doc.version}`,
      ctx.who.role === 'party' ? ` · as party ${ctx.who.party} sees it (other parties' positions left out)` : ''),
    h('ul', { class: 'stats', 'aria-label': 'check summary' },
      h('li', {}, h('span', { class: 'n', id: 'check-ok' }, report.ok ? 'passes' : 'fails'), h('span', { class: 'k' }, 'entente check')),
      h('li', {}, h('span', { class: 'n', id: 'check-errors' }, report.errors), h('span', { class: 'k' }, 'errors')),
      h('li', {}, h('span', { class: 'n', id: 'check-warnings' }, report.warnings), h('span', { class: 'k' }, 'warnings')),
      h('li', {}, h('span', { class: 'n' }, lines.length), h('span', { class: 'k' }, 'lines'))));
  if (findings.length) {
    root.append(h('h2', {}, 'Findings'), h('div', { class: 'scroll' }, h('table', { id: 'findings' },
      h('thead', {}, h('tr', {}, ['where', 'severity', 'code', 'message'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, findings.map((f) => h('tr', {},
        h('td', {}, f.file === main && f.line > 0
          ? h('button', { type: 'button', class: 'link', onclick: () => jump(f.line) }, `line ${f.line}:${f.column}`)
          : `${f.file}${f.line ? ':' + f.line : ''}`),
        h('td', {}, h('span', { class: `sev ${f.severity}` }, f.severity)),
        h('td', {}, h('code', {}, f.code)),
        h('td', {}, f.message, f.hint ? h('div', { class: 'muted' }, f.hint) : null)))))));
  } else root.append(notice('ok', 'entente check finds nothing to report.'));
  if (elsewhere.length) root.append(h('p', { class: 'muted' }, `${elsewhere.length} findings are about other files and are listed above only.`));

  root.append(h('h2', {}, 'Source'), h('div', { class: 'source', id: 'source', role: 'region', 'aria-label': 'settlement source' },
    lines.map((text, i) => {
      const n = i + 1;
      const fs = atLine.get(n) || [];
      const sev = fs.some((f) => f.severity === 'error') ? 'error' : fs.length ? 'warning' : '';
      return h('div', { class: `ln-wrap` },
        h('div', { class: `ln${fs.length ? ' flagged ' + sev : ''}`, id: `L${n}` },
          h('span', { class: 'no', tabindex: fs.length ? '-1' : false }, n), h('span', { class: 'tx' }, text)),
        fs.map(findingBox));
    })));

  root.append(await positionForm(ctx, doc));
}

async function positionForm(ctx, doc) {
  const id = ctx.settlement.id;
  const parties = ctx.who.role === 'party' ? [ctx.who.party] : ctx.settlement.parties.map((p) => p.id);
  let latest = [];
  try {
    latest = await api(`${sid(id)}/positions`);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
  }
  const box = h('div', { class: 'card', id: 'position-form' });
  const select = h('select', { id: 'position-party' }, parties.map((p) => h('option', { value: p }, p)));
  const area = h('textarea', { id: 'position-yaml', class: 'yaml', spellcheck: 'false', 'aria-label': 'position YAML' });
  const status = h('div', { 'aria-live': 'polite' });
  const fill = () => {
    const p = select.value;
    const cur = latest.find((x) => x.party === p);
    area.value = cur ? cur.content : positionFromSource(doc.source, p);
  };
  select.addEventListener('change', fill);
  fill();
  const form = h('form', {},
    h('div', { class: 'toolbar' }, h('label', { for: 'position-party' }, 'Party', select)),
    area,
    h('p', {}, h('button', { type: 'submit', id: 'position-submit' }, 'Submit revision'), ' ',
      h('span', { class: 'muted' }, 'The log records the revision by its hash only.')),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.replaceChildren(notice('info', 'Submitting…'));
    try {
      const r = await api(`${sid(id)}/positions/${encodeURIComponent(select.value)}`, { method: 'PUT', body: { content: area.value } });
      status.replaceChildren(notice('ok', `Revision ${r.revision} of ${r.party} stored (log leaf ${r.log_index}).`));
      setTimeout(ctx.reload, 600);
    } catch (err) {
      status.replaceChildren(notice('error', err.message));
    }
  });
  box.append(h('h2', {}, ctx.who.role === 'party' ? 'Revise your position' : 'Revise a position'), form);
  return box;
}

// positionFromSource cuts party p's entry out of the positions list of
// the merged source, dedented, as a starting point for a revision.
function positionFromSource(src, p) {
  const lines = src.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s*- party:\\s*${p}\\s*$`).test(l));
  if (start < 0) return `party: ${p}\nred_lines: []\n`;
  const indent = lines[start].indexOf('-');
  const out = [lines[start].slice(indent + 2)];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') { out.push(''); continue; }
    const ind = l.length - l.trimStart().length;
    if (ind <= indent) break;
    out.push(l.slice(indent + 2));
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}
