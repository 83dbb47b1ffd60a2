// Browser tests of the privacy side of the dashboard (issue 5): the login page, roles
// that see different layers, the source register and the audit log of the privacy
// officer, logout. Headless Debian chromium (playwright-core) against `stad serve` on
// 127.0.0.1; run as the other browser tests (see dashboard.test.mjs).
//
// The real Groningen bike thefts are cut by year into three files that stand for three
// police deliveries, each its own source in the register:
//   politie-2013-2015  approved for safety_analyst
//   politie-2016       approved for enforcement
//   politie-2017       registered for safety_analyst, still pending
// The expected counts are the rows written into each file (and the per-year counts of
// the data's SOURCE.md), not anything the server says.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  WebStage, THEFTS_FILE, WIJK_FILE, BUURT_FILE, login, afterRefresh, count, shot, waitFor, sessionCookie,
} from './lib.mjs';

const w = new WebStage('privacy');
const pw = {};       // account name -> password
const rows = {};     // source -> rows in its file
let browser;
let analyst;         // { ctx, page } logged in as the analyst; stays open across tests
let officer;         // the privacy officer

// Splits the thefts by the year of begin_datumtijd (the first date-time on a line;
// SOURCE.md: one line per record, no embedded newlines).
function writeSlices(dir) {
  const lines = zlib.gunzipSync(fs.readFileSync(THEFTS_FILE)).toString('utf8').split('\n').filter((l) => l.length);
  const header = lines.shift();
  const slices = { 'politie-2013-2015': [], 'politie-2016': [], 'politie-2017': [] };
  for (const line of lines) {
    const m = /,(\d{4})-\d\d-\d\dT\d\d:\d\d,/.exec(line);
    assert.ok(m, `no date-time in ${line.slice(0, 60)}`);
    const y = Number(m[1]);
    const name = y <= 2015 ? 'politie-2013-2015' : (y === 2016 ? 'politie-2016' : 'politie-2017');
    slices[name].push(line);
  }
  const files = {};
  for (const [name, ls] of Object.entries(slices)) {
    files[name] = path.join(dir, `${name}.csv`);
    fs.writeFileSync(files[name], [header, ...ls].join('\n') + '\n');
    rows[name] = ls.length;
  }
  return files;
}

async function asUser(name) {
  const ctx = await w.context();
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { w.serverLog += `\n[page error ${name}] ${e.message}`; });
  await login(page, w.base, name, pw[name]);
  return { ctx, page };
}

// All events of the session's sources: the period preset "Alles".
async function countAll(page) {
  if ((await page.inputValue('[data-testid="period"]')) !== 'all') {
    await afterRefresh(page, () => page.selectOption('[data-testid="period"]', 'all'));
  }
  return count(page, 'count-total');
}

before(async () => {
  w.init();
  const files = writeSlices(w.dir);
  // SOURCE.md: 2013 3,755; 2014 3,396; 2015 3,576; 2016 3,483; 2017 1,737.
  assert.deepEqual(rows, { 'politie-2013-2015': 3755 + 3396 + 3576, 'politie-2016': 3483, 'politie-2017': 1737 });

  await w.stad('init', '--city', 'groningen');
  await w.stad('areas', 'load', '--level', 'wijk', WIJK_FILE);
  await w.stad('areas', 'load', '--level', 'buurt', BUURT_FILE);
  for (const [name, file] of Object.entries(files)) await w.stad('ingest', '--source', name, file);
  await w.registerSource('politie-2013-2015', { roles: 'safety_analyst' });
  await w.registerSource('politie-2016', { roles: 'enforcement', purpose: 'handhaving fietsparkeren' });
  await w.registerSource('politie-2017', { roles: 'safety_analyst', approve: false });
  for (const [name, roles] of [['analist', 'safety_analyst'], ['handhaving', 'enforcement'], ['publiek', 'public'],
    ['privacy', 'privacy_officer'], ['slot', 'safety_analyst']]) {
    pw[name] = await w.addUser(name, roles);
  }
  await w.serve();
  browser = await w.browser();
  assert.ok(browser);
  w.failed = false;
});

after(async () => {
  for (const u of [analyst, officer]) if (u) await u.ctx.close().catch(() => {});
  await w.close();
});

function check(name, fn) {
  test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      w.failed = true;
      for (const [who, u] of [['analyst', analyst], ['officer', officer]]) {
        if (u) await shot(u.page, `privacy-failed-${who}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
      }
      throw e;
    }
  });
}

check('the login page comes first; a wrong password is an error; repeated failures back off', async () => {
  const ctx = await w.context();
  try {
    const page = await ctx.newPage();
    await page.goto(w.base, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="login"]:not([hidden])');
    assert.ok(!(await page.isVisible('[data-testid="map"]')), 'no map without a session');
    assert.equal(await w.status('api/events'), 401, 'no data without a session');
    await shot(page, 'login');

    await page.fill('[data-testid="login-name"]', 'slot');
    await page.fill('[data-testid="login-password"]', 'verkeerd-wachtwoord');
    await page.click('[data-testid="login-submit"]');
    const err = page.locator('[data-testid="login-error"]');
    await err.waitFor();
    assert.match(await err.textContent(), /verkeerd wachtwoord/);
    assert.equal(await page.inputValue('[data-testid="login-password"]'), '', 'the password field is emptied');

    // After 3 failures in a row the account waits 1 s, 2 s, ...: keep trying wrong
    // passwords quickly until the server says 429 (at most 6 tries: the address
    // itself is throttled only after 10).
    let throttled = false;
    for (let i = 0; i < 5 && !throttled; i++) {
      await page.fill('[data-testid="login-password"]', `nog-steeds-fout-${i}`);
      await page.click('[data-testid="login-submit"]');
      await page.waitForFunction(() => !document.querySelector('#login-form').hasAttribute('aria-busy'));
      throttled = await page.locator('[data-testid="login-warning"]', { hasText: 'Te veel mislukte pogingen' }).count() > 0;
    }
    assert.ok(throttled, 'repeated failures give the back-off message');
    assert.ok(await page.isDisabled('[data-testid="login-submit"]'), 'the button waits out the back-off');
    const wait = Number(await page.getAttribute('#login-error', 'data-retry-after'));
    assert.ok(wait >= 1 && wait <= 4, `a wait of 1..4 s, got ${wait}`);
    await shot(page, 'login-backoff');

    // Once the wait is over the right password works.
    await page.waitForSelector('[data-testid="login-submit"]:not([disabled])', { timeout: 10000 });
    await page.fill('[data-testid="login-password"]', pw.slot);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('body[data-state="ready"][data-refreshes]', { timeout: 30000 });
    assert.equal(await page.textContent('[data-testid="user-name"]'), 'slot');
  } finally {
    await ctx.close();
  }
});

check('two roles see different sources: the analyst and enforcement get different counts and menus', async () => {
  analyst = await asUser('analist');
  const p = analyst.page;
  assert.equal(await p.textContent('[data-testid="user-name"]'), 'analist');
  assert.equal(await p.textContent('[data-testid="user-roles"]'), 'veiligheidsanalist');
  assert.ok(!(await p.isVisible('[data-testid="nav-register"]')), 'no register for the analyst');
  assert.ok(!(await p.isVisible('[data-testid="nav-audit"]')), 'no audit log for the analyst');
  assert.ok(await p.isVisible('[data-testid="layer-points"]'), 'the analyst has the data layers');
  assert.equal(await countAll(p), rows['politie-2013-2015'], 'the analyst sees the approved source of the role only');
  await p.waitForSelector('.leaflet-marker-pane .leaflet-marker-icon', { timeout: 15000 });
  await shot(p, 'role-analyst');

  const enf = await asUser('handhaving');
  try {
    assert.equal(await enf.page.textContent('[data-testid="user-roles"]'), 'handhaving');
    assert.equal(await countAll(enf.page), rows['politie-2016'], 'enforcement sees its own source only');
    // The default period ends at the newest event each may read: 2015 against 2016.
    const meta = await w.getJSON('api/meta', await sessionCookie(enf.ctx));
    assert.equal(String(meta.period.max).slice(0, 4), '2016');
    await shot(enf.page, 'role-enforcement');
  } finally {
    await enf.ctx.close();
  }
  const meta = await w.getJSON('api/meta', await sessionCookie(analyst.ctx));
  assert.equal(String(meta.period.max).slice(0, 4), '2015');
});

check('a role without data sources sees an empty map with a clear note', async () => {
  const pub = await asUser('publiek');
  try {
    const p = pub.page;
    const note = p.locator('[data-testid="role-note"]');
    assert.ok(await note.isVisible(), 'the note is shown');
    assert.equal(await note.getAttribute('data-kind'), 'no-data');
    assert.match(await note.textContent(), /geen toegang tot meldingen/);
    assert.ok((await p.locator('.leaflet-areas-pane path').count()) > 100, 'the wijk and buurt polygons are drawn');
    assert.equal(await p.locator('.leaflet-marker-pane .leaflet-marker-icon').count(), 0, 'no events on the map');
    assert.ok(!(await p.isVisible('[data-testid="filters"]')), 'no filters');
    assert.ok(!(await p.isVisible('[data-testid="hotspot-table"]')), 'no hotspot table');
    assert.ok(!(await p.isVisible('[data-testid="layer-points"]')), 'no data layers');
    assert.equal(await w.status('api/events', await sessionCookie(pub.ctx)), 403, 'the server refuses the data too');
    await shot(p, 'role-public');
  } finally {
    await pub.ctx.close();
  }
});

check('the privacy officer approves a pending source in the register; the analyst then sees its events', async () => {
  officer = await asUser('privacy');
  const p = officer.page;
  assert.ok(await p.isVisible('[data-testid="nav-register"]'));
  assert.ok(await p.isVisible('[data-testid="nav-audit"]'));
  // The officer's scope is the pending source (to vet it); the note says so.
  assert.equal(await countAll(p), rows['politie-2017']);
  await p.waitForSelector('[data-testid="role-note"][data-kind="pending"]', { timeout: 10000 });

  await p.click('[data-testid="nav-register"]');
  await p.waitForSelector('[data-testid="register-row"]');
  assert.equal(await p.locator('[data-testid="register-row"]').count(), 3, 'three sources in the register');
  const row = (name) => p.locator(`[data-testid="register-row"][data-source="${name}"]`);
  assert.equal(await row('politie-2017').getAttribute('data-status'), 'pending');
  assert.equal(await row('politie-2013-2015').getAttribute('data-status'), 'approved');
  const cells = await row('politie-2016').locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 7).map((c) => c.trim()), ['politie-2016', 'Politie Noord-Nederland',
    'handhaving fietsparkeren', 'Wpg art. 20', '36.500 dagen', 'police', 'handhaving']);
  assert.match(cells[7], /^goedgekeurd\s*door cli:/, 'approved on the command line');
  assert.equal(Number((await row('politie-2017').locator('td').nth(8).textContent()).replace(/\./g, '')), rows['politie-2017']);
  await shot(p, 'register-before', { fullPage: true });

  const before = await countAll(analyst.page);
  assert.equal(before, rows['politie-2013-2015']);
  await row('politie-2017').locator('[data-testid="register-approve"]').click();
  await p.waitForSelector('[data-testid="register-row"][data-source="politie-2017"][data-status="approved"]');
  assert.match(await p.textContent('[data-testid="register-success"]'), /politie-2017 is goedgekeurd/);
  // The analyst's open page follows the new data version without a reload.
  await analyst.page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-total"]').dataset.value) === n,
    rows['politie-2013-2015'] + rows['politie-2017'], { timeout: 15000 });

  // Editing the roles of an approved source sends it back to pending: enforcement
  // and the analyst lose it until it is approved again.
  await row('politie-2016').locator('[data-testid="register-edit"]').click();
  await p.waitForSelector('[data-testid="register-edit-form"]:not([hidden])');
  assert.ok(await p.isVisible('#reg-warning'), 'the form warns that the approval lapses');
  assert.equal(await p.inputValue('[data-testid="reg-purpose"]'), 'handhaving fietsparkeren');
  assert.ok(await p.isChecked('[data-testid="reg-role-enforcement"]'));
  await p.check('[data-testid="reg-role-safety_analyst"]');
  await p.click('[data-testid="register-save"]');
  await p.waitForSelector('[data-testid="register-row"][data-source="politie-2016"][data-status="pending"]');
  assert.match(await row('politie-2016').locator('td').nth(6).textContent(), /veiligheidsanalist/);
  await row('politie-2016').locator('[data-testid="register-approve"]').click();
  await p.waitForSelector('[data-testid="register-row"][data-source="politie-2016"][data-status="approved"]');
  await analyst.page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-total"]').dataset.value) === n,
    rows['politie-2013-2015'] + rows['politie-2016'] + rows['politie-2017'], { timeout: 15000 });
  await shot(p, 'register-after', { fullPage: true });

  // Revoking hides it again.
  await row('politie-2017').locator('[data-testid="register-revoke"]').click();
  await p.waitForSelector('[data-testid="register-row"][data-source="politie-2017"][data-status="pending"]');
  await analyst.page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-total"]').dataset.value) === n,
    rows['politie-2013-2015'] + rows['politie-2016'], { timeout: 15000 });

  // A pending source without its register entry cannot be approved: the page says why.
  await w.stad('ingest', '--source', 'onbekend', path.join(w.dir, 'politie-2017.csv'));
  await p.click('[data-testid="nav-map"]');
  await p.click('[data-testid="nav-register"]');
  await p.waitForSelector('[data-testid="register-row"][data-source="onbekend"]');
  await row('onbekend').locator('[data-testid="register-approve"]').click();
  const err = p.locator('[data-testid="register-error"]');
  await err.waitFor();
  assert.match(await err.textContent(), /onbekend.*not set/);
  assert.equal(await row('onbekend').getAttribute('data-status'), 'pending');
});

check('logout ends the session', async () => {
  const p = analyst.page;
  const token = await sessionCookie(analyst.ctx);
  assert.equal(await w.status('api/session', token), 200);
  await p.click('[data-testid="logout"]');
  await p.waitForSelector('[data-testid="login"]:not([hidden])', { timeout: 15000 });
  assert.ok(!(await p.isVisible('[data-testid="map"]')), 'the map is gone');
  assert.equal(await w.status('api/session', token), 401, 'the old token no longer works');
  assert.equal(await w.status('api/events', token), 401);
  assert.equal(await sessionCookie(analyst.ctx), null, 'the cookie is cleared');
  await shot(p, 'logged-out');
});

check('a session ended on the server (account locked) brings back the login form', async () => {
  const u = await asUser('handhaving');
  try {
    const p = u.page;
    await w.stad('-q', 'user', 'lock', 'handhaving');
    // The next data request gets 401: the page asks to log in again.
    await p.selectOption('[data-testid="period"]', 'year');
    await p.waitForSelector('[data-testid="login"]:not([hidden])', { timeout: 15000 });
    assert.match(await p.textContent('[data-testid="login-warning"]'), /sessie is verlopen/);
    assert.ok(!(await p.isVisible('[data-testid="map"]')), 'the map is hidden');
    await w.stad('-q', 'user', 'lock', 'handhaving', '--unlock');
    await p.fill('[data-testid="login-password"]', pw.handhaving);
    // After a lapsed session the page starts afresh.
    await Promise.all([p.waitForEvent('load'), p.click('[data-testid="login-submit"]')]);
    await p.waitForSelector('body[data-state="ready"][data-refreshes]', { timeout: 30000 });
    assert.equal(await countAll(p), rows['politie-2016'], 'enforcement sees its source again');
  } finally {
    await u.ctx.close();
  }
});

check('the audit view lists logins, reads and register changes, filtered and paged', async () => {
  // More than a page of reads by the enforcement account, from outside the browser.
  const enf = await w.context();
  const ep = await enf.newPage();
  await login(ep, w.base, 'handhaving', pw.handhaving);
  const token = await sessionCookie(enf);
  for (let i = 1; i <= 60; i++) {
    assert.equal(await w.status(`api/trend?from=2016-01-01&to=2016-12-${String(1 + (i % 28)).padStart(2, '0')}`, token), 200);
  }
  await enf.close();
  const officerToken = await sessionCookie(officer.ctx);
  // The server writes audit rows once a second. Count the 60 reads themselves: the
  // dashboard's own reads after the login also count as handhaving's, and with them
  // the total can reach 60 while the last of these are still to be written.
  await waitFor('the reads in the audit log', async () =>
    (await w.getJSON('api/audit?actor=handhaving&action=read&limit=10000', officerToken)).rows
      .filter((r) => /^from=2016-01-01&to=2016-12-\d\d$/.test(r.query)).length >= 60, 10000);

  const p = officer.page;
  await p.click('[data-testid="nav-audit"]');
  await p.waitForSelector('[data-testid="audit-row"]');
  const table = p.locator('[data-testid="audit-table"]');
  const search = async () => {
    const n = Number(await table.getAttribute('data-loads'));
    await p.click('[data-testid="audit-search"]');
    await p.waitForFunction((k) => Number(document.querySelector('[data-testid="audit-table"]').dataset.loads) > k, n);
  };
  const attr = (a) => p.locator('[data-testid="audit-row"]').evaluateAll((rs, k) => rs.map((r) => r.getAttribute(k)), a);

  // Logins: every account that logged in, and the failures of "slot".
  await p.selectOption('[data-testid="audit-action"]', 'login');
  await search();
  const actions = await attr('data-action');
  assert.ok(actions.every((a) => a.startsWith('login')), `only logins: ${[...new Set(actions)]}`);
  const actors = new Set(await attr('data-actor'));
  for (const u of ['analist', 'handhaving', 'publiek', 'privacy', 'slot']) assert.ok(actors.has(u), `a login of ${u}`);
  assert.ok(actions.includes('login.failed'), 'the failed logins are there');
  await shot(p, 'audit-logins', { fullPage: true });

  // Reads of one user, and the logout.
  await p.fill('[data-testid="audit-actor"]', 'analist');
  await p.selectOption('[data-testid="audit-action"]', 'read');
  await search();
  const reads = await attr('data-action');
  assert.ok(reads.length > 0 && reads.every((a) => a === 'read' || a.startsWith('read.')), 'reads of analist');
  assert.ok((await attr('data-actor')).every((a) => a === 'analist'));
  await p.selectOption('[data-testid="audit-action"]', 'logout');
  await search();
  assert.deepEqual(await attr('data-action'), ['logout']);

  // The register changes made in the page, as the officer.
  await p.fill('[data-testid="audit-actor"]', 'privacy');
  await p.selectOption('[data-testid="audit-action"]', 'register');
  await search();
  const reg = await attr('data-action');
  for (const a of ['register.approve', 'register.set', 'register.revoke']) assert.ok(reg.includes(a), `${a} in ${reg}`);

  // Paging: the reads of handhaving, 50 a page, newest first, against the API.
  const all = (await w.getJSON('api/audit?actor=handhaving&action=read&limit=10000', officerToken)).rows;
  await p.fill('[data-testid="audit-actor"]', 'handhaving');
  await p.selectOption('[data-testid="audit-action"]', 'read');
  await search();
  const ids1 = await p.locator('[data-testid="audit-row"]').count();
  assert.equal(ids1, 50, 'a page holds 50 rows');
  assert.ok(await p.isDisabled('[data-testid="audit-prev"]'));
  assert.ok(!(await p.isDisabled('[data-testid="audit-next"]')));
  const firstOf = async () => p.locator('[data-testid="audit-row"] td').nth(4).textContent();
  assert.equal(await firstOf(), `${all[0].route}?${all[0].query}`.replace(/\?$/, ''));
  const loads = Number(await table.getAttribute('data-loads'));
  await p.click('[data-testid="audit-next"]');
  await p.waitForFunction((k) => Number(document.querySelector('[data-testid="audit-table"]').dataset.loads) > k, loads);
  assert.equal(await p.getAttribute('[data-testid="audit-page"]', 'data-page'), '2');
  assert.equal(await p.locator('[data-testid="audit-row"]').count(), Math.min(50, all.length - 50));
  assert.equal(await firstOf(), `${all[50].route}?${all[50].query}`.replace(/\?$/, ''));

  // A start date after today: nothing.
  const tomorrow = new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 10);
  await p.fill('[data-testid="audit-since"]', tomorrow);
  await search();
  assert.equal(await p.locator('[data-testid="audit-row"]').count(), 0);
  assert.equal(await p.textContent('[data-testid="audit-page"]'), 'Geen regels');
});

check('the dashboard made no request outside the stad server', async () => {
  assert.deepEqual(w.external, [], `external requests: ${w.external.join(', ')}`);
});
