// app.js: the shell of the entente web UI: sign-in, navigation and the
// views each role may see. The API enforces the roles; the UI only hides
// what a role could not read anyway.

import { api, ApiError, setToken, takeFragmentToken, token } from './api.js';
import { h, notice } from './dom.js';
import * as settlementView from './views/settlement.js';
import * as dealsView from './views/deals.js';
import * as guaranteesView from './views/guarantees.js';
import * as monitoringView from './views/monitoring.js';
import * as publishedView from './views/published.js';
import * as logView from './views/log.js';

// VIEWS lists every view with the roles that see it and whether it is
// about one settlement.
const VIEWS = [
  { id: 'settlement', title: 'Settlement', roles: ['mediator', 'party'], per: true, mod: settlementView },
  { id: 'deals', title: 'Deal space', roles: ['mediator', 'party'], per: true, mod: dealsView },
  { id: 'guarantees', title: 'Guarantees', roles: ['mediator', 'party', 'monitor', 'observer'], per: true, mod: guaranteesView },
  { id: 'monitoring', title: 'Monitoring', roles: ['mediator', 'party', 'monitor', 'observer'], per: true, mod: monitoringView },
  { id: 'published', title: 'Published', roles: ['mediator', 'party', 'monitor', 'observer'], per: true, mod: publishedView },
  { id: 'log', title: 'Log', roles: ['mediator', 'party', 'monitor', 'observer'], per: false, mod: logView },
];

const state = { who: null, settlements: [], current: '' };

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const whoEl = document.getElementById('who');

function route() {
  const m = /^#\/([a-z]*)(?:\/(.*))?$/.exec(location.hash) || [];
  return { view: m[1] || '', id: m[2] ? decodeURIComponent(m[2]) : '' };
}

function visible() {
  return VIEWS.filter((v) => v.roles.includes(state.who.role));
}

function href(view, id) {
  return `#/${view}${id ? '/' + encodeURIComponent(id) : ''}`;
}

function signIn(message) {
  nav.replaceChildren();
  whoEl.replaceChildren();
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, size: 48 });
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Paste a token made by ', h('code', {}, 'entente token create'),
      ' (or open the address ', h('code', {}, 'entente serve'), ' printed, which holds one).'),
    message ? notice('error', message) : null,
    h('label', { for: 'token' }, 'Token'), ' ', input, ' ',
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setToken(input.value);
    start();
  });
  main.replaceChildren(form);
  input.focus();
}

function signOut() {
  setToken('');
  state.who = null;
  history.replaceState(null, '', location.pathname + '#/');
  signIn();
}

function renderShell(r) {
  const views = visible();
  nav.replaceChildren(h('ul', {}, views.map((v) => h('li', {},
    h('a', { href: href(v.id, v.per ? state.current : ''), 'aria-current': r.view === v.id ? 'page' : false }, v.title)))));
  const who = state.who;
  const picker = state.settlements.length > 0
    ? h('label', { class: 'picker' }, 'Settlement ',
      h('select', {
        id: 'settlement-picker',
        onchange: (e) => { location.hash = href(r.view || views[0].id, e.target.value); },
      }, state.settlements.map((st) => h('option', { value: st.id, selected: st.id === state.current }, `${st.id} (v${st.version})`))))
    : null;
  whoEl.replaceChildren(picker,
    h('span', { class: 'role', id: 'whoami' }, who.role, who.party ? ` ${who.party}` : ''),
    h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'));
}

async function show() {
  if (!state.who) return;
  const r = route();
  const views = visible();
  let v = views.find((x) => x.id === r.view);
  if (!v) {
    location.replace(href(views[0].id, views[0].per ? state.current : ''));
    return;
  }
  if (v.per) {
    if (r.id && state.settlements.some((x) => x.id === r.id)) state.current = r.id;
    else if (state.current) {
      location.replace(href(v.id, state.current));
      return;
    }
  }
  renderShell(r);
  const root = h('section', { class: 'view', id: `view-${v.id}`, 'aria-labelledby': `title-${v.id}` });
  // Views append lists and optional parts: drop the absent ones.
  root.append = (...xs) => Element.prototype.append.apply(root, xs.flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false));
  main.replaceChildren(root);
  const settlement = state.settlements.find((x) => x.id === state.current);
  if (v.per && !settlement) {
    root.append(h('h1', { id: `title-${v.id}` }, v.title), notice('info', 'No settlement is served yet.'));
    return;
  }
  document.title = `${v.title}${v.per ? ' · ' + state.current : ''} · entente`;
  try {
    // reload renders the view anew after a change, unless the user has
    // moved on to another view meanwhile.
    const here = location.hash;
    const reload = () => { if (location.hash === here && main.contains(root)) show(); };
    await v.mod.render(root, { who: state.who, settlement, settlements: state.settlements, title: v.title, id: `title-${v.id}`, reload });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signIn(`The server refused the token: ${e.message}`);
      return;
    }
    root.append(notice('error', e instanceof ApiError ? `${e.message} (${e.status} ${e.code})` : String(e)));
    console.error(e);
  }
}

async function start() {
  if (!token()) {
    signIn();
    return;
  }
  try {
    state.who = await api('/api/whoami');
    state.settlements = await api('/api/settlements');
  } catch (e) {
    state.who = null;
    signIn(e instanceof ApiError && e.status === 401 ? `The server refused the token: ${e.message}` : String(e.message || e));
    return;
  }
  if (!state.current && state.settlements.length) state.current = state.settlements[0].id;
  await show();
}

window.addEventListener('hashchange', () => {
  if (takeFragmentToken()) start();
  else show();
});
takeFragmentToken();
start();
