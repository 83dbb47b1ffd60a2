// Browser test of the enforcers' handheld page (web/handheld.html) on a phone-sized
// screen (390 x 844): the real Groningen street network (Fietstelweek 2016, 16,621
// links), an enforcer who logs in, today's route for a team of 2 on a map and as a
// list, results recorded online, offline (queued, synced once when back online) and
// with a lost answer (resent, not counted twice), and the next plan that changes.
//
//   STAD=build/stad STAD_SHARED_DATA=../shared/data STAD_TMP=build/tmp node --test tests/web/handheld.test.mjs
//
// Needs web/dist (scripts/build-web) and /usr/bin/chromium. Shared set-up: lib.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WebStage, SHARED, waitFor, shot } from './lib.mjs';

const STREETS = path.join(SHARED, 'groningen', 'fietstelweek-2016', 'groningen_fietstelweek_2016_links_wgs84.geojson');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const TEAM = 'enforcers=2&hours=4';

const w = new WebStage('handheld');
let enforcerPw;
let coordCookie; // the coordinator (role enforcement), for requests from node
let context;
let page;

// Logs in through the API from node; returns the session cookie's value.
async function apiLogin(name, password) {
  const res = await fetch(new URL('api/login', w.base), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }),
  });
  assert.equal(res.status, 200, `login ${name}`);
  await res.arrayBuffer();
  const m = /stad_session=([0-9a-f]+)/.exec(res.headers.get('set-cookie') || '');
  assert.ok(m, 'a session cookie');
  return m[1];
}

const localDate = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const dayOffset = (n) => localDate(new Date(Date.now() + n * 86400000));

// Street ids of the label stops of a plan (all routes).
const labelStreets = (plan) => new Set(plan.routes.flatMap((r) => r.stops).filter((s) => s.action === 'label').map((s) => s.street));

// The stops shown on the page, in list order.
const shownStops = () => page.$$eval('[data-testid="hh-stop"]', (els) => els.map((e) => ({
  street: Number(e.dataset.street), order: Number(e.dataset.order), action: e.dataset.action, done: e.dataset.done,
})));

const queueLength = async () => Number(await page.getAttribute('[data-testid="hh-queue"]', 'data-value'));

async function chooseRoute(n) {
  const loads = Number(await page.getAttribute('body', 'data-loads'));
  await page.selectOption('[data-testid="hh-route"]', String(n));
  await page.waitForFunction((k) => Number(document.body.dataset.loads) > k && document.body.dataset.state === 'ready', loads);
  assert.equal(await page.getAttribute('body', 'data-route'), String(n));
}

// Fills in labels and a remark at the stop of `street` and saves.
async function recordLabels(street, labels, remark) {
  const stop = page.locator(`[data-testid="hh-stop"][data-street="${street}"]`);
  await stop.locator('[data-testid="hh-labels"]').fill(String(labels));
  await stop.locator('[data-testid="hh-remark"]').fill(remark);
  await stop.locator('[data-testid="hh-save"]').click();
}

before(async () => {
  w.init();
  assert.ok(fs.existsSync(STREETS), `missing data file ${STREETS}`);
  await w.stad('-q', 'init', '--city', 'groningen');
  const { stdout } = await w.stad('bikes', 'streets', 'load', STREETS);
  assert.match(stdout, /16621 street segments loaded/);
  enforcerPw = await w.addUser('henk', 'enforcer');
  const coordPw = await w.addUser('coordinator', 'enforcement');
  await w.serve();
  coordCookie = await apiLogin('coordinator', coordPw);
  await w.browser();
  context = await w.context(PHONE);
  page = await context.newPage();
});

after(async () => {
  if (context) await context.close().catch(() => {});
  await w.close();
});

test('the enforcer logs in and sees today\'s route on a map and as a list', async () => {
  await page.goto(new URL('handheld.html', w.base).href, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('[data-testid="hh-login"]:not([hidden])');
  // a fresh device: a team of 2 for 4 hours, route 1
  await page.evaluate(() => localStorage.setItem('stad.handheld.settings', JSON.stringify({ route: 1, enforcers: 2, hours: 4 })));
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('[data-testid="hh-login"]:not([hidden])');
  await page.fill('[data-testid="hh-login-name"]', 'henk');
  await page.fill('[data-testid="hh-login-password"]', 'wrong-password-123');
  await page.click('[data-testid="hh-login-submit"]');
  await page.waitForSelector('[data-testid="hh-login-error"]:not([hidden])');
  await page.fill('[data-testid="hh-login-password"]', enforcerPw);
  await page.click('[data-testid="hh-login-submit"]');
  await page.waitForSelector('body[data-state="ready"][data-route="1"]', { timeout: 30000 });

  // the route chooser lists the team's 2 routes
  const options = await page.$$eval('[data-testid="hh-route"] option', (o) => o.map((x) => x.value));
  assert.deepEqual(options, ['1', '2']);
  const route1 = await shownStops();
  assert.ok(route1.length >= 3, `route 1 has ${route1.length} stops`);
  assert.deepEqual(route1.map((s) => s.order), route1.map((_, i) => i + 1), 'stops in order');
  // the same stops as the coordinator's plan of today, route 1
  const plan = await w.getJSON(`api/bikes/plan?${TEAM}`, coordCookie);
  assert.equal(plan.date, localDate(new Date()));
  assert.equal(plan.routes.length, 2);
  assert.deepEqual(route1.map((s) => s.street), plan.routes[0].stops.map((s) => s.street));
  // how many labels to take along
  assert.ok(plan.routes[0].labels_to_take > 0, 'labels to take along');
  assert.match(await page.textContent('#hh-summary'), new RegExp(`neem ${plan.routes[0].labels_to_take} labels mee`));
  // real streets: ids of the Fietstelweek links, drawn as lines plus numbered markers
  for (const s of route1) assert.ok(s.street >= 1 && s.street <= 16621);
  const lines = await page.locator('#hh-map path.leaflet-interactive').count();
  assert.ok(lines >= route1.length, `${lines} lines on the map`);
  assert.equal(await page.locator('#hh-map .leaflet-marker-icon').count(), route1.length + 1);
  assert.equal(await page.locator('#hh-map [data-testid="hh-depot"]').count(), 1, 'the depot');
  // no request left the server (no tiles)
  assert.deepEqual(w.external, []);
  // phone-sized: nothing wider than the screen
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width} px wide`);
  await shot(page, 'handheld-route1');

  // route 2 is the other enforcer's: other streets
  await chooseRoute(2);
  const route2 = await shownStops();
  assert.ok(route2.length >= 1);
  assert.deepEqual(route2.map((s) => s.street), plan.routes[1].stops.map((s) => s.street));
  for (const s of route2) assert.ok(!route1.some((r) => r.street === s.street), `street ${s.street} on both routes`);
  await chooseRoute(1);
});

test('results are recorded online, offline and after a lost answer, each once, and change the next plan', async () => {
  const stops = (await shownStops()).filter((s) => s.action === 'label');
  assert.ok(stops.length >= 3);
  const [a, b, c] = stops;
  const tomorrow = dayOffset(1);
  const before = labelStreets(await w.getJSON(`api/bikes/plan?${TEAM}&date=${tomorrow}`, coordCookie));
  for (const s of [a, b, c]) assert.ok(before.has(s.street), `street ${s.street} in tomorrow's plan before any result`);

  // online
  await recordLabels(a.street, 4, 'rek bij de ingang vol');
  await page.waitForSelector(`[data-testid="hh-stop"][data-street="${a.street}"][data-done="synced"]`);
  assert.equal(await queueLength(), 0);

  // offline: queued on the device, sent once when the connection is back
  await context.setOffline(true);
  await page.waitForSelector('[data-testid="hh-online"][data-online="false"]');
  await recordLabels(b.street, 3, 'twee wrakken');
  await page.waitForSelector(`[data-testid="hh-stop"][data-street="${b.street}"][data-done="queued"]`);
  assert.equal(await queueLength(), 1);
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('stad.handheld.outbox')));
  assert.equal(queued.length, 1);
  assert.match(queued[0].key, /^hh-[0-9a-f]{32}$/);
  assert.equal(queued[0].body.labels, 3);
  // the save button cannot make a second result for the same stop
  assert.ok(await page.locator(`[data-testid="hh-stop"][data-street="${b.street}"] [data-testid="hh-save"]`).isDisabled());

  // a lost answer: the server records the first send of the next result, the page
  // sees a broken connection, keeps it queued and sends it again with the same key
  let sends = 0;
  const keys = [];
  await context.route('**/api/bikes/record', async (route) => {
    sends++;
    keys.push(JSON.parse(route.request().postData()).key);
    if (sends === 2) {
      const res = await route.fetch(); // reaches the server ...
      assert.equal(res.status(), 200);
      return route.abort('connectionreset'); // ... but its answer is lost
    }
    return route.continue();
  });
  await context.setOffline(false);
  await page.waitForSelector(`[data-testid="hh-stop"][data-street="${b.street}"][data-done="synced"]`, { timeout: 20000 });
  assert.equal(await queueLength(), 0);
  await recordLabels(c.street, 6, '');
  // first try lost, then resent by the retry timer (10 s) or the next sync
  await page.waitForSelector(`[data-testid="hh-stop"][data-street="${c.street}"][data-done="synced"]`, { timeout: 30000 });
  assert.equal(await queueLength(), 0);
  assert.ok(sends >= 3, `${sends} sends`);
  assert.equal(keys[1], keys[2], 'the resend carries the same key');
  assert.equal(await page.textContent('[data-testid="hh-sync-msg"]'), '· al ontvangen');
  await context.unroute('**/api/bikes/record');
  await shot(page, 'handheld-recorded');

  // the server has each result once, on today's stops
  const today = await w.getJSON(`api/bikes/plan?${TEAM}`, coordCookie);
  const done = new Map(today.routes.flatMap((r) => r.stops).map((s) => [s.street, s.done]));
  assert.deepEqual(done.get(a.street), { labels: 4, removed: 0, returned: 0, visits: 1 });
  assert.deepEqual(done.get(b.street), { labels: 3, removed: 0, returned: 0, visits: 1 });
  assert.deepEqual(done.get(c.street), { labels: 6, removed: 0, returned: 0, visits: 1 });

  // a reload shows the results from the server
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-state="ready"][data-route="1"]', { timeout: 30000 });
  const after = await shownStops();
  for (const s of [a, b, c]) assert.equal(after.find((x) => x.street === s.street).done, 'synced');

  // the next plan: labels are out on those streets, so they are not labelled again,
  // and their follow-up is due 28 days on
  const next = labelStreets(await w.getJSON(`api/bikes/plan?${TEAM}&date=${tomorrow}`, coordCookie));
  for (const s of [a, b, c]) assert.ok(!next.has(s.street), `street ${s.street} labelled again tomorrow`);
  const fu = await w.getJSON(`api/bikes/followup?date=${dayOffset(28)}`, coordCookie);
  assert.deepEqual(fu.followups.map((f) => [f.street, f.labels]).sort((x, y) => x[0] - y[0]),
    [[a.street, 4], [b.street, 3], [c.street, 6]].sort((x, y) => x[0] - y[0]));
  w.failed = false;
});

test('the page opens again without a connection, shows the last route and sends what was recorded once back online', async () => {
  // the service worker (public/handheld-sw.js) has kept the page and its assets
  const active = await page.evaluate(async () => {
    for (let i = 0; i < 100; i++) {
      const r = await navigator.serviceWorker.getRegistration();
      if (r && r.active) return true;
      await new Promise((done) => setTimeout(done, 100));
    }
    return false;
  });
  assert.ok(active, 'the service worker is active');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-state="ready"][data-route="1"]', { timeout: 30000 });
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is under its service worker');
  const online = await shownStops();

  await context.setOffline(true);
  const res = await page.reload({ waitUntil: 'domcontentloaded' });
  assert.ok(res && res.fromServiceWorker(), 'the page came from the service worker');
  await page.waitForSelector('body[data-auth="offline"][data-state="ready"]', { timeout: 30000 });
  await page.waitForSelector('[data-testid="hh-online"][data-online="false"]');
  assert.match(await page.textContent('#hh-message'), /Geen verbinding/);
  const offline = await shownStops();
  assert.deepEqual(offline.map((s) => s.street), online.map((s) => s.street), 'the last route, in order');
  // the map, with its depot, drawn from the kept scripts
  assert.equal(await page.locator('#hh-map [data-testid="hh-depot"]').count(), 1);

  const open = offline.find((s) => s.action === 'label' && s.done !== 'synced');
  assert.ok(open, 'a stop without a result yet');
  await recordLabels(open.street, 2, 'offline geteld');
  await page.waitForSelector(`[data-testid="hh-stop"][data-street="${open.street}"][data-done="queued"]`);
  assert.equal(await queueLength(), 1);

  // back online: the session is checked again and the queue is sent, once
  await context.setOffline(false);
  await page.waitForSelector('body[data-auth="in"]', { timeout: 30000 });
  await page.waitForSelector(`[data-testid="hh-stop"][data-street="${open.street}"][data-done="synced"]`, { timeout: 30000 });
  assert.equal(await queueLength(), 0);
  const today = await w.getJSON(`api/bikes/plan?${TEAM}`, coordCookie);
  const done = new Map(today.routes.flatMap((r) => r.stops).map((s) => [s.street, s.done]));
  assert.deepEqual(done.get(open.street), { labels: 2, removed: 0, returned: 0, visits: 1 });
  w.failed = false;
});

test('the enforcer switches to another campaign theme (car wrecks): its route, and results recorded under it', async () => {
  // the theme choice is filled from the plan the page fetches when it is back online
  // (the test before ends offline): wait for it, as an enforcer would
  await page.waitForSelector('[data-testid="hh-theme"] option[value="carwrecks"]', { state: 'attached', timeout: 30000 });
  const options = await page.$$eval('[data-testid="hh-theme"] option', (els) => els.map((e) => e.value));
  assert.ok(options.includes('carwrecks'), options.join(','));
  const loads = Number(await page.evaluate(() => document.body.dataset.loads || 0));
  await page.selectOption('[data-testid="hh-theme"]', 'carwrecks');
  await page.waitForFunction((n) => Number(document.body.dataset.loads || 0) > n && document.body.dataset.state === 'ready', loads, { timeout: 30000 });
  const wrecks = await w.getJSON(`api/bikes/plan?${TEAM}&theme=carwrecks`, coordCookie);
  const shown = await shownStops();
  assert.deepEqual(shown.map((s) => s.street), wrecks.routes[0].stops.map((s) => s.street), 'route 1 of the car-wreck plan');
  assert.match(await page.textContent('[data-testid="hh-stops"]'), /wrakken/);
  const stop = shown.find((s) => s.action === 'label' && s.done !== 'synced');
  await recordLabels(stop.street, 1, 'wrak zonder kenteken');
  await page.waitForSelector(`[data-testid="hh-stop"][data-street="${stop.street}"][data-done="synced"]`, { timeout: 30000 });
  const after = await w.getJSON(`api/bikes/plan?${TEAM}&theme=carwrecks`, coordCookie);
  const done = new Map(after.routes.flatMap((r) => r.stops).map((s) => [s.street, s.done]));
  assert.deepEqual(done.get(stop.street), { labels: 1, removed: 0, returned: 0, visits: 1 });
  // the notice is due for the tow after the car-wreck theme's 14 days
  const fu = await w.getJSON(`api/bikes/followup?date=${dayOffset(14)}&theme=carwrecks`, coordCookie);
  assert.equal(fu.waiting_days, 14);
  assert.deepEqual(fu.followups.map((f) => [f.street, f.labels]), [[stop.street, 1]]);
  await page.selectOption('[data-testid="hh-theme"]', 'bikes');
  w.failed = false;
});
