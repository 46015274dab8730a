// ui.test.mjs drives the web UI in Debian's chromium against the real
// entente serve on a real store: SQLite in a temporary directory, then
// PostgreSQL in a fresh database when one answers at 127.0.0.1:5432. It
// checks that server/ui/assets is what web/ builds, then signs in as the
// mediator, a party, a monitor and an observer and asserts what each view
// shows. Screenshots go to test/screenshots/.
//
//	cd web && npm ci && node test/ui.test.mjs
//
// ENTENTE_UI_PG=0 skips PostgreSQL; CHROMIUM names another browser.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { check } from '../build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const shots = join(here, 'screenshots');
const data = join(repo, '..', 'shared', 'data');
const EVENTS = 'ucdp-ged251-ukraine-sample-2022-2023.csv';
const started = Date.now();

let failures = 0;
function ok(cond, msg) {
  if (cond) console.log(`  ok  ${msg}`);
  else {
    failures++;
    console.log(`  FAIL ${msg}`);
  }
}
function eq(got, want, msg) {
  ok(got === want, `${msg}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// serve starts entente serve on port 0 and resolves to its address, the
// mediator token and a stop function.
function serve(bin, dir, db) {
  const args = ['serve', '--addr', '127.0.0.1:0', '--data', dir];
  if (db) args.push('--db', db);
  const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stderr.on('data', (b) => { err += b; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`entente serve did not start:\n${out}\n${err}`)), 30000);
    p.on('exit', (code) => reject(new Error(`entente serve exited ${code}:\n${out}\n${err}`)));
    p.stdout.on('data', (b) => {
      out += b;
      const m = /entente serve: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const t = /#token=(\S+)/.exec(out);
      if (m && t) {
        clearTimeout(timer);
        resolve({
          url: m[1], token: t[1], stderr: () => err,
          stop: () => new Promise((r) => { p.removeAllListeners('exit'); p.on('exit', r); p.kill('SIGTERM'); }),
        });
      }
    });
  });
}

function tokenCreate(bin, dir, db, role, party) {
  const args = ['token', 'create', '--role', role, '--data', dir, '--json'];
  if (party) args.push('--party', party);
  if (db) args.push('--db', db);
  const out = execFileSync(bin, args, { encoding: 'utf8' });
  const j = JSON.parse(out);
  return j.token || j.secret;
}

async function call(srv, token, method, path, body, raw) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(srv.url + path, { method, headers, body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined });
  const j = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(j)}`);
  return j;
}

// watch fails the run on any error the page logs or throws, other than
// the 403s a role is expected to meet (none: the UI must not ask).
function watch(page, who) {
  page.on('pageerror', (e) => ok(false, `${who}: page error ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') ok(false, `${who}: console error ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) ok(false, `${who}: ${r.request().method()} ${r.url()} answered ${r.status()}`); });
  page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1')) ok(false, `${who}: request outside the server: ${r.url()}`); });
}

async function signIn(browser, srv, token, who) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  watch(page, who);
  await page.goto(`${srv.url}/#token=${token}`);
  await page.waitForSelector('#whoami');
  ok(!page.url().includes('token='), `${who}: the token is gone from the address (${page.url()})`);
  return page;
}

async function view(page, srv, route, ready) {
  const target = `${srv.url}/#/${route}`;
  if (page.url() === target) await page.reload();
  else await page.goto(target);
  try {
    await page.waitForSelector(ready, { timeout: 20000 });
  } catch (e) {
    await page.screenshot({ path: join(shots, `failed-${route.replace(/\W+/g, '-')}.png`), fullPage: true });
    throw new Error(`${route}: ${ready} did not appear; main says: ${await text(page, 'main')}`);
  }
  const shown = await page.innerText('main');
  const junk = /\b(null|undefined|NaN)\b|\[object /.exec(shown);
  ok(!junk, `${route}: no stray ${junk ? junk[0] : 'null, undefined or [object]'} in the page`);
}

async function shot(page, tag, name) {
  await page.screenshot({ path: join(shots, `${tag}-${name}.png`), fullPage: true });
}

async function text(page, sel) {
  return (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
}

// relaxRU drops Russia's three red lines that block every package.
function relaxRU(yaml) {
  const out = [];
  let skip = false;
  for (const l of yaml.split('\n')) {
    if (/^ {2}- id: /.test(l) || /^\S/.test(l)) skip = /^ {2}- id: (nato-excluded|russia-in-the-guarantee|donbas)\s*$/.test(l);
    if (!skip) out.push(l);
  }
  return out.join('\n');
}

async function run(browser, bin, tag, db) {
  console.log(`== ${tag}`);
  const dir = mkdtempSync(join(tmpdir(), 'entente-ui-'));
  const srv = await serve(bin, dir, db);
  try {
    const ua = tokenCreate(bin, dir, db, 'party', 'UA');
    const observer = tokenCreate(bin, dir, db, 'observer');
    const monitorT = tokenCreate(bin, dir, db, 'monitor');
    const med = srv.token;
    const S = '/api/settlements/ukraine-2025';

    // The real store gets real events and a second settlement: the
    // ukraine-2025 monitoring terms replayed over 2022-2023, whose
    // violations fill the chart.
    const ing = await call(srv, monitorT, 'POST', `${S}/events?name=${EVENTS}`, undefined, readFileSync(join(data, EVENTS)));
    eq(ing.files[0].added, 1262, 'ingest: events added');
    const ex = join(repo, 'examples', 'ukraine-2025');
    const replay = 'ukraine-2025-replay-2022-2023';
    await call(srv, med, 'PUT', `/api/settlements/${replay}`, {
      source: readFileSync(join(ex, 'replay-2022-2023.yaml'), 'utf8'), version: 0,
      files: { 'zones.geojson': readFileSync(join(ex, 'zones.geojson'), 'utf8'), 'line.geojson': readFileSync(join(ex, 'line.geojson'), 'utf8') },
    });

    // --- The mediator.
    const page = await signIn(browser, srv, med, `${tag} mediator`);
    eq(await text(page, '#whoami'), 'mediator', 'mediator: whoami');
    const navM = await page.$$eval('nav a', (as) => as.map((a) => a.textContent));
    eq(navM.join(','), 'Settlement,Deal space,Guarantees,Monitoring,Published,Log', 'mediator: views');

    // Settlement: every finding about settlement.yaml sits at its line.
    await view(page, srv, 'settlement/ukraine-2025', '#source .ln');
    const chk = await call(srv, med, 'GET', `${S}/check`);
    eq(await text(page, '#check-warnings'), String(chk.warnings), 'settlement: warnings count');
    const atLines = await page.$$eval('.finding-at', (fs) => fs.map((f) => `${f.previousElementSibling ? '' : ''}${f.parentElement.querySelector('.ln').id}:${f.dataset.code}`));
    const want = chk.findings.filter((f) => f.file === 'ukraine-2025/settlement.yaml').map((f) => `L${f.line}:${f.code}`);
    eq(atLines.sort().join(' '), want.sort().join(' '), 'settlement: findings at their lines');
    ok(want.includes('L418:guarantee-no-decision'), 'settlement: guarantee-no-decision at line 418');
    eq(await text(page, '#L418 .tx'), (await call(srv, med, 'GET', S)).source.split('\n')[417].trim(), 'settlement: line 418 is the source line');
    await shot(page, tag, 'settlement');
    await page.locator('#L418').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -200));
    await page.screenshot({ path: join(shots, `${tag}-settlement-line-418.png`) });

    // Deal space, infeasible: conflicts and relaxations, no frontier.
    await view(page, srv, 'deals/ukraine-2025', '#deal-counts');
    const deals0 = await call(srv, med, 'GET', `${S}/deals?limit=500`);
    eq(await text(page, '[data-count=feasible] .n'), '0', 'deals: feasible 0');
    eq(await page.$$eval('#conflicts tbody tr', (r) => r.length), deals0.conflicts.length, 'deals: conflict rows');
    eq(await page.$$eval('#relaxations tbody tr', (r) => r.length), deals0.relaxations.length, 'deals: relaxation rows');
    ok((await text(page, '#conflicts')).includes('donbas'), 'mediator: sees RU red line donbas in the conflicts');
    await shot(page, tag, 'deals-infeasible');

    // --- A party, before the revision: others' red lines are masked.
    const pp = await signIn(browser, srv, ua, `${tag} party UA`);
    eq(await text(pp, '#whoami'), 'party UA', 'party: whoami');
    const navP = await pp.$$eval('nav a', (as) => as.map((a) => a.textContent));
    eq(navP.join(','), 'Settlement,Deal space,Guarantees,Monitoring,Published,Log', 'party: views');
    await view(pp, srv, 'settlement/ukraine-2025', '#source .ln');
    const src = await text(pp, '#source');
    ok(src.includes('party: UA') && !src.includes('party: RU'), 'party: sees its own position only');
    await view(pp, srv, 'deals/ukraine-2025', '#conflicts');
    const others = await pp.$$eval('#conflicts [data-other=true]', (e) => e.map((x) => x.textContent));
    ok(others.length > 0 && others.every((t) => t === 'a red line of another party'), `party: ${others.length} red lines of other parties shown as such`);
    const body = await text(pp, 'main');
    for (const rl of ['donbas', 'nato-excluded', 'russia-in-the-guarantee', 'no-russian-veto-on-eu-nato-path']) ok(!body.includes(rl), `party: never sees red line id ${rl}`);
    ok(body.includes('no-territory-ceded'), 'party: sees its own red line no-territory-ceded');
    await shot(pp, tag, 'party-deals-infeasible');

    // The mediator revises Russia's position in the settlement view.
    await view(page, srv, 'settlement/ukraine-2025', '#position-form textarea');
    await page.selectOption('#position-party', 'RU');
    const ru = await page.inputValue('#position-yaml');
    ok(ru.startsWith('party: RU') && ru.includes('- id: donbas'), 'settlement: the RU position is filled in');
    await page.fill('#position-yaml', relaxRU(ru));
    await page.click('#position-submit');
    await page.waitForSelector('#position-form .notice.ok');
    ok((await text(page, '#position-form .notice.ok')).includes('Revision 1 of RU'), 'settlement: RU revision stored');

    // Deal space, feasible: the Pareto explorer.
    await view(page, srv, 'deals/ukraine-2025', '#pareto-chart');
    const deals = await call(srv, med, 'GET', `${S}/deals?limit=500`);
    ok(Number(deals.feasible) > 0, `deals: feasible ${deals.feasible} after the revision`);
    eq((await text(page, '[data-count=feasible] .n')).replace(/\D/g, ''), deals.feasible, 'deals: feasible count shown');
    eq(await page.$$eval('#pareto-chart circle.pt', (c) => c.length), deals.pareto.length, 'deals: one point per Pareto entry');
    for (const k of ['nash', 'kalai', 'utilitarian']) eq(await page.$$eval(`#pareto-chart .solution.${k}`, (c) => c.length), deals[k] ? 1 : 0, `deals: ${k} marked`);
    await page.selectOption('#axis-x', 'RU');
    await page.selectOption('#axis-y', 'UA');
    ok((await page.getAttribute('#pareto-chart', 'aria-label')).includes('utility of RU against utility of UA'), 'deals: axes RU against UA');
    await page.locator('#pareto-chart circle.pt').nth(0).dispatchEvent('click');
    ok((await text(page, '#package-detail')).includes('territory'), 'deals: a point shows its package');
    await shot(page, tag, 'deals-pareto');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(shots, `${tag}-deals-narrow.png`) });
    ok(await page.evaluate(() => document.documentElement.scrollWidth <= 400), 'deals: fits a 390 px wide screen');
    await page.setViewportSize({ width: 1280, height: 900 });

    // The party sees its own utility over the Pareto packages.
    await view(pp, srv, 'deals/ukraine-2025', '#pareto-chart');
    const pdeals = await call(srv, ua, 'GET', `${S}/deals?limit=500`);
    ok(pdeals.pareto.every((e) => Object.keys(e.utility).join() === 'UA'), 'party: API gives its own utility only');
    eq(await pp.$$eval('#pareto-chart circle.pt', (c) => c.length), pdeals.pareto.length, 'party: one dot per Pareto package');
    ok(!(await pp.$('#axis-x')), 'party: no axis choice');
    await shot(pp, tag, 'party-deals-pareto');

    // Guarantees: bars and cost sliders.
    await view(page, srv, 'guarantees/ukraine-2025', '.guarantee');
    const gs = await call(srv, med, 'GET', `${S}/guarantees`);
    eq(await page.$$eval('.guarantee', (c) => c.length), gs.guarantees.length, 'guarantees: one card each');
    const g0 = gs.guarantees.find((g) => g.power_computed && g.credibility && g.credibility.thresholds.length);
    eq(await page.$$eval(`#g-${g0.id} .bars .fill`, (b) => b.length), 2 * Object.keys(g0.banzhaf).length, `guarantees: ${g0.id} power bars`);
    eq(await text(page, `#g-${g0.id} .veto-players`), g0.veto_players.join(''), `guarantees: ${g0.id} veto players`);
    eq(await page.$$eval(`#g-${g0.id} .slider`, (s) => s.length), g0.credibility.thresholds.length, `guarantees: ${g0.id} one slider per cost`);
    const th = g0.credibility.thresholds.find((t) => t.intervals.length > 1);
    const sl = `#g-${g0.id} .slider[data-party="${th.party}"][data-key="${th.key}"]`;
    const inside = (v, x) => (x.from === null || v > x.from.value || (x.from_closed && v === x.from.value)) && (x.to === null || v < x.to.value || (x.to_closed && v === x.to.value));
    const cur = th.intervals.find((x) => inside(th.value.value, x));
    const iv = th.intervals.find((x) => x.attack !== cur.attack || x.deters !== cur.deters || x.responders.join() !== cur.responders.join());
    const probe = iv.from === null ? iv.to.value - 1 : iv.to === null ? iv.from.value + 1 : (iv.from.value + iv.to.value) / 2;
    const outcome = async () => (await text(page, `${sl} .readout`)).replace(/^[^:]*: /, '');
    const before = await outcome();
    await page.$eval(`${sl} input`, (el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }, String(probe));
    const after = await outcome();
    ok(before !== after, `guarantees: moving ${th.party}.${th.key} to ${probe} changes the outcome from "${before}" to "${after}"`);
    const ticks = await page.$$eval(`${sl} .ticks span`, (s) => s.map((x) => x.textContent));
    ok(ticks.length >= 1, `guarantees: thresholds of ${th.party}.${th.key} marked on the slider: ${ticks.join(', ')} (intervals ${JSON.stringify(th.intervals.map((x) => [x.from && x.from.exact, x.to && x.to.exact, x.attack, x.deters, x.responders.join('+')]))})`);
    const stops = await page.$$eval('.slider .thresholds li', (ls) => ls.map((l) => l.textContent).filter((t) => /stops? responding/.test(t)));
    ok(stops.length > 0, `guarantees: thresholds where guarantors stop responding (${stops[0]})`);
    await shot(page, tag, 'guarantees');
    await page.locator(`#g-${g0.id}`).screenshot({ path: join(shots, `${tag}-guarantee-${g0.id}.png`) });

    // Monitoring: the map of zones, line and events; the chart.
    await view(page, srv, 'monitoring/ukraine-2025', '#map path.feature');
    await page.waitForSelector('#map path.event');
    const zones = await call(srv, med, 'GET', `${S}/zones`);
    const nEvents = (await call(srv, med, 'GET', `${S}/events?limit=5000`)).length;
    eq(nEvents, 1262, 'events: the route lists every stored event');
    eq(await page.$$eval('#map path.event', (p) => p.length), nEvents, 'monitoring: one marker per event');
    eq(await page.$$eval('#map path.feature', (p) => p.length), zones.features.length, 'monitoring: one shape per zone and line feature');
    eq(await page.$$eval('#map path.feature.zone', (p) => p.length), zones.features.filter((f) => f.properties.kind === 'zone').length, 'monitoring: the zones');
    ok(zones.features.length >= 4, `monitoring: ${zones.features.length} zone and line features`);
    await shot(page, tag, 'monitoring');
    await view(page, srv, `monitoring/${replay}`, '#violations-chart');
    const rep = await call(srv, med, 'GET', `/api/settlements/${replay}/report`);
    ok(rep.violations.total > 0, `replay: ${rep.violations.total} violations`);
    const barSum = await page.$$eval('#violations-chart rect.bar', (rs) => rs.reduce((a, r) => a + Number(r.dataset.n), 0));
    eq(barSum, rep.violations.total, 'monitoring: the bars add up to the violations');
    await page.waitForSelector('#map path.event.violating');
    await shot(page, tag, 'monitoring-replay');

    // Published and the log.
    await view(page, srv, 'published/ukraine-2025', '#publish-deals');
    await page.click('#publish-deals');
    await page.waitForSelector('#publications tbody tr');
    await page.click('#publish-guarantees');
    await page.waitForFunction(() => document.querySelectorAll('#publications tbody tr').length === 2);
    ok(true, 'published: deals and guarantees published');
    await view(page, srv, 'log', '#sign-checkpoint');
    const size = (await call(srv, med, 'GET', '/api/log')).size;
    await page.click('#sign-checkpoint');
    await page.waitForSelector('#checkpoints tbody tr');
    eq(await text(page, '#checkpoints tbody tr td.num'), String(size), 'log: a checkpoint of the log size');
    await page.click('#verify');
    await page.waitForSelector('#verify-result');
    ok((await text(page, '#verify-result')).startsWith('The log verifies'), 'log: verify says ok');
    await page.click('#leaves tbody tr:nth-child(2) button');
    await page.waitForSelector('#leaf-detail h3');
    await shot(page, tag, 'log');

    // --- The observer: published results, guarantees, the zones, the log.
    const po = await signIn(browser, srv, observer, `${tag} observer`);
    const navO = await po.$$eval('nav a', (as) => as.map((a) => a.textContent));
    eq(navO.join(','), 'Guarantees,Monitoring,Published,Log', 'observer: views');
    await view(po, srv, 'published/ukraine-2025', '#publications');
    eq(await po.$$eval('#publications tbody tr', (r) => r.length), 2, 'observer: two publications');
    ok(!(await po.$('#publish-deals')), 'observer: no publish buttons');
    ok(!(await text(po, '#publications')).includes('no-territory-ceded'), 'observer: published deals hold no red line');
    await shot(po, tag, 'observer-published');
    await view(po, srv, 'guarantees/ukraine-2025', '.guarantee .slider');
    await view(po, srv, 'monitoring/ukraine-2025', '#map path.feature');
    ok(!(await po.$('#violations-chart')) && !(await po.$('#map path.event')), 'observer: no events or report');
    await shot(po, tag, 'observer-monitoring');
    await view(po, srv, 'log', '#verify');
    ok(!(await po.$('#sign-checkpoint')), 'observer: no checkpoint button');
    await po.click('#verify');
    await po.waitForSelector('#verify-result');
    ok((await text(po, '#verify-result')).startsWith('The log verifies'), 'observer: verify says ok');

    // --- A monitor: monitoring and the log, no negotiation.
    const pm = await signIn(browser, srv, monitorT, `${tag} monitor`);
    const navMo = await pm.$$eval('nav a', (as) => as.map((a) => a.textContent));
    eq(navMo.join(','), 'Guarantees,Monitoring,Published,Log', 'monitor: views');
    await view(pm, srv, `monitoring/${replay}`, '#violations-chart');
    ok(!!(await pm.$('#upload')), 'monitor: may ingest');

    // Signing out forgets the token.
    await pp.click('text=Sign out');
    await pp.waitForSelector('#token');
    eq(await pp.evaluate(() => sessionStorage.getItem('entente.token')), null, 'sign out: token forgotten');
    await shot(pp, tag, 'signin');
    await pp.fill('#token', observer);
    await pp.click('form.signin button[type=submit]');
    await pp.waitForSelector('#whoami');
    eq(await text(pp, '#whoami'), 'observer', 'sign in: a pasted token');
    await Promise.all([page, pp, po, pm].map((p) => p.context().close()));
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log('== assets');
  const problems = check();
  ok(problems.length === 0, `server/ui/assets/vendor/leaflet is what web/ vendors${problems.length ? ':\n    ' + problems.join('\n    ') + '\n    (run npm run build in web/ and commit)' : ''}`);
  ok(existsSync(join(data, EVENTS)), `the event file ${join(data, EVENTS)} is there`);
  mkdirSync(shots, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'entente-bin-'));
  const bin = join(tmp, 'entente');
  execFileSync('go', ['build', '-o', bin, './cmd/entente'], { cwd: repo, stdio: 'inherit' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  try {
    await run(browser, bin, 'sqlite');
    if (process.env.ENTENTE_UI_PG !== '0') {
      const name = `entente_ui_${process.pid}_${Date.now()}`;
      let made = false;
      try {
        execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', `create database ${name}`], { stdio: 'pipe' });
        made = true;
      } catch (e) {
        console.log(`== postgres: skipped (no server at 127.0.0.1:5432: ${String(e.stderr || e.message).trim()})`);
      }
      if (made) {
        try {
          await run(browser, bin, 'postgres', `postgres://postgres@127.0.0.1:5432/${name}?sslmode=disable`);
        } finally {
          execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', `drop database if exists ${name} with (force)`], { stdio: 'pipe' });
        }
      }
    }
  } finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${failures ? 'FAIL' : 'ok'}: ${failures} failures in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shots}`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
