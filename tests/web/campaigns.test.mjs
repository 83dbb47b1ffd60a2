// Browser test of the campaign view of the dashboard (#/campagnes) on a phone-sized
// screen (390 x 844): the demo data (Groningen wijken and buurten, the police bike
// thefts, registered and approved as scripts/demo does) plus the real street network
// (Fietstelweek 2016, 16,621 links). The coordinator (role enforcement) plans a day
// for 2 enforcers and sees each route as a coloured line with numbered stops over the
// wijk polygons, the streets of each route in the plan's order, and route sheets to
// download; the PDF sheet is read back with `stad tables`. An analyst does not get
// the view.
//
//   STAD=build/stad STAD_SHARED_DATA=../shared/data STAD_TMP=build/tmp node --test tests/web/campaigns.test.mjs
//
// Needs web/dist (scripts/build-web) and /usr/bin/chromium. Screenshot and the PDF go
// to $STAD_TMP/screenshots/. Shared set-up: lib.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  WebStage, SHARED, THEFTS_FILE, WIJK_FILE, BUURT_FILE, LIGHTS_FILE, SHOTS, login, sessionCookie, shot,
} from './lib.mjs';

const STREETS = path.join(SHARED, 'groningen', 'fietstelweek-2016', 'groningen_fietstelweek_2016_links_wgs84.geojson');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DAY = '2017-10-02';
const TEAM = { enforcers: 2, hours: 4 };

const w = new WebStage('campaigns');
let coordPw;
let analystPw;
let context;
let page;

before(async () => {
  w.init();
  assert.ok(fs.existsSync(STREETS), `missing data file ${STREETS}`);
  await w.stad('-q', 'init', '--city', 'groningen');
  await w.stad('areas', 'load', '--level', 'wijk', WIJK_FILE);
  await w.stad('areas', 'load', '--level', 'buurt', BUURT_FILE);
  await w.stad('ingest', '--source', 'politie-fietsdiefstal', THEFTS_FILE);
  await w.registerSource('politie-fietsdiefstal', { roles: 'safety_analyst,enforcement' });
  // street lights first: the segments take the street names of the lights along them
  await w.stad('assets', 'load', '--kind', 'streetlight', LIGHTS_FILE);
  const { stdout } = await w.stad('bikes', 'streets', 'load', STREETS);
  assert.match(stdout, /16621 street segments loaded/);
  assert.match(stdout, /\d+ street segments named after \d+ asset points/);
  coordPw = await w.addUser('coordinator', 'enforcement');
  analystPw = await w.addUser('analist', 'safety_analyst');
  await w.serve();
  await w.browser();
  context = await w.context(PHONE);
  page = await context.newPage();
  page.on('pageerror', (e) => { w.serverLog += `\n[page error] ${e.message}`; });
  w.failed = false;
});

after(async () => {
  if (context) await context.close().catch(() => {});
  await w.close();
});

function check(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (e) {
      w.failed = true;
      if (page) await shot(page, `failed-campaigns-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
      throw e;
    }
  });
}

let plan; // the coordinator's plan from the API, to compare the page with

// Fields of one CSV line (RFC 4180 quotes, as `stad tables --format csv` writes).
function csvFields(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

check('the coordinator sees the day\'s routes on the wijk map and as street lists', async () => {
  await login(page, w.base, 'coordinator', coordPw);
  assert.ok(await page.isVisible('[data-testid="nav-campaigns"]'), 'the Campagnes link for the coordinator');
  await page.click('[data-testid="nav-campaigns"]');
  await page.waitForSelector('[data-testid="campaign-view"][data-state="ready"]', { timeout: 60000 });
  // the plan of the chosen day and team
  await page.fill('[data-testid="campaign-date"]', DAY);
  await page.fill('[data-testid="campaign-enforcers"]', String(TEAM.enforcers));
  await page.fill('[data-testid="campaign-hours"]', String(TEAM.hours));
  await page.click('[data-testid="campaign-submit"]');
  await page.waitForSelector('[data-testid="campaign-view"][data-state="ready"][data-loads="2"]', { timeout: 60000 });

  const cookie = await sessionCookie(context);
  plan = await w.getJSON(`api/bikes/plan?date=${DAY}&enforcers=${TEAM.enforcers}&hours=${TEAM.hours}`, cookie);
  assert.equal(plan.routes.length, 2);
  const stops = plan.routes.flatMap((r) => r.stops);
  assert.ok(stops.length >= 6, `${stops.length} stops`);

  // each route a section listing its streets in the plan's order
  const sections = await page.$$eval('[data-testid="campaign-route"]', (els) => els.map((e) => e.dataset.route));
  assert.deepEqual(sections, ['1', '2']);
  for (const r of plan.routes) {
    const shown = await page.$$eval(`[data-testid="campaign-stop"][data-route="${r.route}"]`,
      (els) => els.map((e) => ({ order: Number(e.dataset.order), street: Number(e.dataset.street), text: e.textContent })));
    assert.deepEqual(shown.map((s) => s.street), r.stops.map((s) => s.street), `route ${r.route} in order`);
    assert.deepEqual(shown.map((s) => s.order), r.stops.map((_, i) => i + 1));
    // real Fietstelweek links, with their wijk where they lie in one
    for (const s of r.stops) assert.ok(s.street >= 1 && s.street <= 16621);
  }
  assert.ok(stops.some((s) => s.wijk), 'stops carry the name of their wijk');
  // each row names its street (or its number where no street light told the name)
  for (const s of stops) {
    const text = await page.textContent(`[data-testid="campaign-stop"][data-route="${s.route}"][data-order="${s.order}"]`);
    assert.ok(text.includes(s.name || `nr ${s.street}`), `${text} names ${s.name || s.street}`);
  }
  assert.ok(stops.some((s) => s.name), 'streets carry names');

  // the map: numbered stops per route, the streets and the way between them in the
  // route's colour, over the wijk polygons
  const markers = await page.$$eval('#campaign-map [data-testid="campaign-marker"]',
    (els) => els.map((e) => `${e.dataset.route}.${e.dataset.order}.${e.textContent}`));
  assert.deepEqual(markers.sort(), stops.map((s) => `${s.route}.${s.order}.${s.order}`).sort());
  assert.equal(await page.locator('#campaign-map path.app-route-street').count(), stops.length);
  assert.equal(await page.locator('#campaign-map path.app-route-path').count(),
    plan.routes.filter((r) => r.stops.length >= 1).length);
  // each route's way runs along the streets from the depot, drawn as a marker, and back
  assert.equal(await page.locator('#campaign-map [data-testid="campaign-depot"]').count(), 1);
  for (const f of plan.features.filter((x) => x.properties.type === 'path')) {
    const c = f.geometry.coordinates;
    assert.deepEqual(c[0], [plan.depot.lon, plan.depot.lat]);
    assert.deepEqual(c[c.length - 1], [plan.depot.lon, plan.depot.lat]);
    const stopsOf = plan.routes.find((r) => r.route === f.properties.route).stops.length;
    assert.ok(c.length > stopsOf + 2, `route ${f.properties.route}: ${c.length} points along the streets`);
  }
  const colours = await page.$$eval('#campaign-map path.app-route-path', (els) => els.map((e) => e.getAttribute('stroke')));
  assert.equal(new Set(colours).size, colours.length, `one colour per route: ${colours}`);
  const wijken = await w.getJSON('api/areas?level=wijk', cookie);
  assert.equal(await page.locator('#campaign-map path.app-wijk').count(), wijken.features.length);
  // every stop lies inside the visible map
  const inside = await page.$$eval('#campaign-map [data-testid="campaign-marker"]', (els) => {
    const box = document.getElementById('campaign-map').getBoundingClientRect();
    return els.every((e) => {
      const r = e.getBoundingClientRect();
      return r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    });
  });
  assert.ok(inside, 'the map is fitted to the routes');

  // phone-sized: nothing wider than the screen, and nothing fetched outside the server
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width} px wide`);
  assert.deepEqual(w.external, []);
  await shot(page, 'campaigns-phone');
  await shot(page, 'campaigns-phone-full', { fullPage: true });
});

check('the route sheets download, and the PDF lists the stops of the plan in order', async () => {
  const hrefs = {};
  for (const f of ['pdf', 'html', 'gpx', 'geojson']) {
    hrefs[f] = await page.getAttribute(`[data-testid="campaign-download-${f}"]`, 'href');
    assert.ok(hrefs[f].includes(`format=${f}`) && hrefs[f].includes(`date=${DAY}`), hrefs[f]);
  }
  const get = (href) => context.request.get(new URL(href, page.url()).href);
  const pdf = await get(hrefs.pdf);
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /^application\/pdf/);
  assert.match(pdf.headers()['content-disposition'], /attachment; filename="route-bikes-2017-10-02\.pdf"/);
  const bytes = await pdf.body();
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const file = path.join(SHOTS, 'campaigns-route-sheet.pdf');
  fs.writeFileSync(file, bytes);
  // stad's own PDF table reader: one table, the stops of route 1 then route 2
  const { stdout } = await w.stad('tables', file, '--rows', '0', '--format', 'csv');
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], 'stop,tijd,nr,straat,wijk,taak,verwacht,labels,verwijderd,opmerking');
  const rows = lines.slice(1).map(csvFields);
  const stops = plan.routes.flatMap((r) => r.stops);
  assert.deepEqual(rows.map((r) => Number(r[2])), stops.map((s) => s.street));
  assert.deepEqual(rows.map((r) => Number(r[0])), stops.map((s) => s.order));

  const html = await get(hrefs.html);
  assert.equal(html.status(), 200);
  assert.ok((await html.text()).includes('handhaver 2 van 2'));
  const gpx = await (await get(hrefs.gpx)).text();
  assert.equal(gpx.split('<rte>').length - 1, 2);
  assert.equal(gpx.split('<trk>').length - 1, 2, 'a track along the streets per route');
  const geo = JSON.parse(await (await get(hrefs.geojson)).text());
  assert.equal(geo.features.filter((f) => f.properties.type === 'stop').length, stops.length);
  assert.equal(geo.features.filter((f) => f.properties.type === 'depot').length, 1);
  assert.equal(geo.features.filter((f) => f.properties.type === 'way').length, 2);
});

check('another theme (car wrecks) runs on the same streets, with its own plan and sheets', async () => {
  // the themes of config/themes, offered once the first plan is in
  const options = await page.$$eval('[data-testid="campaign-theme"] option', (els) => els.map((e) => e.value));
  assert.ok(options.includes('bikes') && options.includes('carwrecks'), options.join(','));
  assert.ok(await page.isVisible('[data-testid="campaign-theme"]'));
  const loads = Number(await page.getAttribute('[data-testid="campaign-view"]', 'data-loads'));
  await page.selectOption('[data-testid="campaign-theme"]', 'carwrecks');
  await page.click('[data-testid="campaign-submit"]');
  await page.waitForSelector(`[data-testid="campaign-view"][data-state="ready"][data-loads="${loads + 1}"]`, { timeout: 60000 });
  assert.match(await page.textContent('[data-testid="campaign-summary"]'), /wrakken te labelen/);
  const cookie = await sessionCookie(context);
  const wrecks = await w.getJSON(`api/bikes/plan?date=${DAY}&enforcers=${TEAM.enforcers}&hours=${TEAM.hours}&theme=carwrecks`, cookie);
  assert.equal(wrecks.theme, 'carwrecks');
  const shown = await page.$$eval('[data-testid="campaign-stop"]', (els) => els.map((e) => Number(e.dataset.street)));
  assert.deepEqual(shown, wrecks.routes.flatMap((r) => r.stops).map((s) => s.street));
  const pdf = await page.getAttribute('[data-testid="campaign-download-pdf"]', 'href');
  assert.ok(pdf.includes('theme=carwrecks'), pdf);
  const res = await context.request.get(new URL(pdf, page.url()).href);
  assert.match(res.headers()['content-disposition'], /filename="route-carwrecks-2017-10-02\.pdf"/);
  // back to the bikes
  await page.selectOption('[data-testid="campaign-theme"]', 'bikes');
});

check('an analyst gets no campaign view', async () => {
  const ctx = await w.context();
  const p = await ctx.newPage();
  try {
    await login(p, w.base, 'analist', analystPw);
    assert.ok(!(await p.isVisible('[data-testid="nav-campaigns"]')));
    await p.goto(new URL('#/campagnes', w.base).href);
    await p.waitForFunction(() => document.body.dataset.view === 'map');
    assert.ok(await p.isHidden('[data-testid="campaign-view"]'));
    const cookie = await sessionCookie(ctx);
    assert.equal(await w.status(`api/bikes/plan?date=${DAY}`, cookie), 403);
    assert.equal(await w.status(`api/bikes/sheet?date=${DAY}`, cookie), 403);
  } finally {
    await ctx.close();
  }
});
