// Shared machinery of the browser tests (not a test file itself): the stad binary, a
// temporary store, `stad serve` on 127.0.0.1, headless Debian chromium through
// playwright-core, accounts made with `stad user add`, and logging in through the page.
//
//   const w = new WebStage('web');          // temp dir under $STAD_TMP
//   await w.stad('init', '--city', 'groningen');
//   await w.addUser('anna', 'safety_analyst');   // password on stdin, returned
//   await w.serve(['--watch', dir]);         // sets w.base
//   const browser = await w.browser();
//   await login(page, w.base, 'anna', pw);

import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// playwright-core is a devDependency of web/, resolve it from there.
const requireWeb = createRequire(path.join(ROOT, 'web', 'package.json'));
const { chromium } = requireWeb('playwright-core');

export const STAD = process.env.STAD && path.resolve(process.env.STAD);
export const SHARED = path.resolve(process.env.STAD_SHARED_DATA || path.join(ROOT, '..', 'shared', 'data'));
export const TMP = path.resolve(process.env.STAD_TMP || os.tmpdir());
export const SHOTS = path.join(TMP, 'screenshots');
export const WEB = path.join(ROOT, 'web', 'dist');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const GRONINGEN = path.join(SHARED, 'groningen');
export const WIJK_FILE = path.join(GRONINGEN, 'gemeentelijke-wijk-buurtindeling-2017', 'groningen_gemeente_wijkindeling_wgs84.geojson');
export const BUURT_FILE = path.join(GRONINGEN, 'gemeentelijke-wijk-buurtindeling-2017', 'groningen_gemeente_buurtindeling_wgs84.geojson');
export const THEFTS_FILE = path.join(GRONINGEN, 'fietsdiefstallen-2013-2017', 'groningen_fietsdiefstallen_2013_2017.csv.gz');
export const LIGHTS_FILE = path.join(GRONINGEN, 'openbare-verlichting-2017', 'groningen_openbare_verlichting_2017.csv.gz');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const run = promisify(execFile);

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(what, fn, timeoutMs, intervalMs = 200, alive = () => true) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    const why = alive();
    if (why !== true) throw new Error(`${why} while waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// A fresh random password of 20 characters (accounts need at least 10).
export const newPassword = () => crypto.randomBytes(15).toString('base64url');

export class WebStage {
  constructor(prefix) {
    this.prefix = prefix;
    this.dir = null;
    this.server = null;
    this.serverLog = '';
    this.base = null;
    this.failed = true; // until the set-up is complete
    this.external = []; // requests to anything but the server
    this._browser = null;
  }

  // Checks the prerequisites and makes the temporary directory.
  init() {
    assert.ok(STAD, 'set STAD to the stad binary');
    assert.ok(fs.existsSync(STAD), `no stad binary at ${STAD}`);
    assert.ok(fs.existsSync(path.join(WEB, 'index.html')), `no ${WEB}/index.html: run scripts/build-web first`);
    assert.ok(fs.existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: run scripts/install-deps (or set CHROMIUM)`);
    for (const f of [WIJK_FILE, BUURT_FILE, THEFTS_FILE]) assert.ok(fs.existsSync(f), `missing data file ${f}`);
    fs.mkdirSync(TMP, { recursive: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    this.dir = fs.mkdtempSync(path.join(TMP, `${this.prefix}-`));
  }

  env() {
    const env = { ...process.env, STAD_CONFIG_DIR: path.join(ROOT, 'config'), LC_ALL: 'C' };
    delete env.STAD_STORE;
    return env;
  }

  get store() {
    return path.join(this.dir, 'stad.db');
  }

  async stad(...args) {
    try {
      return await run(STAD, ['--store', this.store, ...args], { env: this.env(), maxBuffer: 16 << 20 });
    } catch (e) {
      throw new Error(`stad ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  }

  // Runs stad with `input` on stdin (a password: never on the command line).
  stadIn(input, ...args) {
    return new Promise((resolve, reject) => {
      const child = spawn(STAD, ['--store', this.store, ...args], { env: this.env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve({ stdout: out, stderr: err })
        : reject(new Error(`stad ${args.join(' ')} exited ${code}: ${err}`))));
      child.stdin.end(input);
    });
  }

  // Makes an account with a fresh password and returns the password.
  async addUser(name, roles) {
    const pw = newPassword();
    await this.stadIn(`${pw}\n`, '-q', 'user', 'add', name, '--role', roles);
    return pw;
  }

  // Fills a source's register entry (as scripts/demo does) and, unless told not to,
  // approves it.
  async registerSource(name, { roles, holder = 'Politie Noord-Nederland', sensitivity = 'police', approve = true,
    purpose = 'hotspots voor het tweewekelijks overleg handhaving', legalBasis = 'Wpg art. 20', retentionDays = 36500 }) {
    await this.stad('-q', 'source', 'set', name, '--holder', holder, '--purpose', purpose, '--legal-basis', legalBasis,
      '--retention-days', String(retentionDays), '--sensitivity', sensitivity, '--roles', roles);
    if (approve) await this.stad('-q', 'source', 'approve', name);
  }

  async serve(extra = []) {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}/`;
    this.server = spawn(STAD, ['--store', this.store, 'serve', '--port', String(port), '--web', WEB, ...extra],
      { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.server.stdout.on('data', (d) => { this.serverLog += d; });
    this.server.stderr.on('data', (d) => { this.serverLog += d; });
    await waitFor('stad serve to answer /api/health', async () => (await this.getJSON('api/health')).status === 'ok',
      30000, 200, () => this.alive());
  }

  alive() {
    return this.server && this.server.exitCode !== null
      ? `stad serve exited (${this.server.exitCode}):\n${this.serverLog}` : true;
  }

  // A GET from node (not the browser), with a session cookie when given.
  async getJSON(p, cookie) {
    const res = await fetch(new URL(p, this.base), { headers: cookie ? { Cookie: `stad_session=${cookie}` } : {} });
    if (!res.ok) throw new Error(`${p}: ${res.status}`);
    return res.json();
  }

  async status(p, cookie) {
    const res = await fetch(new URL(p, this.base), { headers: cookie ? { Cookie: `stad_session=${cookie}` } : {} });
    await res.arrayBuffer();
    return res.status;
  }

  async browser() {
    this._browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    return this._browser;
  }

  // A browser context that may reach our server only: the dashboard must work with
  // no internet, so every other request is aborted and remembered.
  async context(opts = {}) {
    const ctx = await this._browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'nl-NL', ...opts });
    await ctx.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(this.base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      this.external.push(url);
      return route.abort();
    });
    return ctx;
  }

  async close() {
    if (this._browser) await this._browser.close().catch(() => {});
    if (this.server && this.server.exitCode === null) {
      this.server.kill('SIGTERM');
      await Promise.race([new Promise((r) => this.server.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      if (this.server.exitCode === null) this.server.kill('SIGKILL');
    }
    // In a sanitizer build a report is a failure even when every page looked right.
    const sanitizer = /(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)/.exec(this.serverLog);
    if (sanitizer) this.failed = true;
    if (this.dir) {
      fs.writeFileSync(path.join(this.dir, 'serve.log'), this.serverLog);
      if (this.failed) console.error(`# web test files kept in ${this.dir}`);
      else fs.rmSync(this.dir, { recursive: true, force: true });
    }
    assert.ok(!sanitizer, `stad serve reported ${sanitizer && sanitizer[1]}:\n${this.serverLog.slice(-4000)}`);
  }
}

// Logs in through the login page and waits for the dashboard's first refresh (or,
// with {view}, for that view).
export async function login(p, base, name, password, { waitReady = true } = {}) {
  await p.goto(base, { waitUntil: 'domcontentloaded' });
  await p.waitForSelector('[data-testid="login"]:not([hidden])', { timeout: 15000 });
  assert.ok(!(await p.isVisible('[data-testid="map"]')), 'no map before logging in');
  await p.fill('[data-testid="login-name"]', name);
  await p.fill('[data-testid="login-password"]', password);
  await p.click('[data-testid="login-submit"]');
  if (waitReady) await p.waitForSelector('body[data-state="ready"][data-refreshes]', { timeout: 30000 });
}

// The value of the session cookie in a browser context (HttpOnly: the page cannot
// read it, playwright can).
export async function sessionCookie(ctx) {
  const c = (await ctx.cookies()).find((k) => k.name === 'stad_session');
  return c ? c.value : null;
}

// Waits for the refresh after an action: data-refreshes grows and the page is ready.
export async function afterRefresh(p, action) {
  const before = Number(await p.getAttribute('body', 'data-refreshes'));
  await action();
  await p.waitForFunction((n) => Number(document.body.dataset.refreshes) > n && document.body.dataset.state === 'ready',
    before, { timeout: 30000 });
}

export const count = async (p, id) => Number(await p.getAttribute(`[data-testid="${id}"]`, 'data-value'));

export async function shot(p, name, opts = {}) {
  const file = path.join(SHOTS, `${name}.png`);
  await p.screenshot({ path: file, ...opts });
  return file;
}
