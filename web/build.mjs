// build.mjs vendors Leaflet from npm into server/ui/assets/vendor/leaflet.
// The UI's own files are written in server/ui/assets itself (embedded in
// entente by go:embed) and need no build: the browser loads the ES modules
// as they are.
//
//	node build.mjs            vendor into ../server/ui/assets/vendor/leaflet
//	node build.mjs --out DIR  vendor into DIR
//	node build.mjs --check    vendor into a temporary directory and fail if
//	                          it differs from the committed copy
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const committed = join(here, '..', 'server', 'ui', 'assets', 'vendor', 'leaflet');
const leaflet = join(here, 'node_modules', 'leaflet', 'dist');

// build writes Leaflet's distribution files into out (vendor/leaflet of the
// assets), which it empties first.
export function build(out) {
  if (!existsSync(leaflet)) throw new Error(`${leaflet} is missing: run npm ci in web/ first`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'images'), { recursive: true });
  for (const f of ['leaflet-src.esm.js', 'leaflet.css']) cpSync(join(leaflet, f), join(out, f));
  for (const f of ['layers.png', 'layers-2x.png']) cpSync(join(leaflet, 'images', f), join(out, 'images', f));
  cpSync(join(here, 'node_modules', 'leaflet', 'LICENSE'), join(out, 'LICENSE'));
}

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

// diff returns how directory b differs from a (empty when they agree).
export function diff(a, b) {
  const fa = files(a), fb = files(b);
  const problems = [];
  for (const f of fa) if (!fb.includes(f)) problems.push(`${f}: built but not committed`);
  for (const f of fb) if (!fa.includes(f)) problems.push(`${f}: committed but not built`);
  for (const f of fa) {
    if (fb.includes(f) && !readFileSync(join(a, f)).equals(readFileSync(join(b, f)))) problems.push(`${f}: differs from the build`);
  }
  return problems;
}

// check builds into a temporary directory and compares it with the
// committed assets; it returns the differences.
export function check() {
  const tmp = mkdtempSync(join(tmpdir(), 'entente-ui-'));
  try {
    build(tmp);
    return diff(tmp, committed);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--check') {
    const problems = check();
    if (problems.length) {
      console.error(`server/ui/assets/vendor/leaflet is not the Leaflet of web/package-lock.json (run npm run build in web/ and commit):\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
    console.log('server/ui/assets/vendor/leaflet is the Leaflet of web/package-lock.json');
  } else {
    const out = args[0] === '--out' ? args[1] : committed;
    build(out);
    console.log(`built ${files(out).length} files into ${relative(process.cwd(), out) || '.'}`);
  }
}
