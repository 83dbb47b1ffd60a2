// Browser tests of the dashboard: headless Debian chromium driven by playwright-core
// (no browser download) against `stad serve` on 127.0.0.1 with the real Groningen data.
//
//   STAD=build/stad STAD_SHARED_DATA=../shared/data STAD_TMP=build/tmp node --test tests/web/
//
// The police source is registered and approved as scripts/demo does; the page is used
// by an analyst (safety_analyst) who logs in through the login page, and by a privacy
// officer where the watched folder's failures are concerned (only the register's
// keepers are told about them). Shared set-up: lib.mjs.
//
// Needs web/dist (scripts/build-web) and /usr/bin/chromium (scripts/install-deps);
// CHROMIUM overrides the browser path. Screenshots (and an A4 PDF of the print view)
// go to $STAD_TMP/screenshots/. The temporary store and watch folder are removed when
// every test passed and kept (path printed) otherwise.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  WebStage, THEFTS_FILE, WIJK_FILE, BUURT_FILE, SHOTS, login, afterRefresh, count, shot, waitFor,
} from './lib.mjs';

const w = new WebStage('web');
let watchDir;
let context;       // browser context (desktop), logged in as the analyst
let page;
let analystPw;     // safety_analyst: reads the approved police source
let officerPw;     // privacy_officer: also told about files the watcher could not read

const getJSON = (p) => w.getJSON(p, cookie);
let cookie;        // the analyst's session, for requests from node

// Opens the dashboard in a new page of ctx and logs in (every context has its own
// cookies, so every context logs in).
async function openDashboard(p, name = 'analist', pw = analystPw) {
  await login(p, w.base, name, pw);
}

before(async () => {
  w.init();
  watchDir = path.join(w.dir, 'drop');
  fs.mkdirSync(watchDir);

  await w.stad('init', '--city', 'groningen');
  await w.stad('areas', 'load', '--level', 'wijk', WIJK_FILE);
  await w.stad('areas', 'load', '--level', 'buurt', BUURT_FILE);
  await w.stad('ingest', '--source', 'politie-fietsdiefstal', THEFTS_FILE);
  // As scripts/demo does: the register entry, then the approval; without it the
  // analyst would see nothing.
  await w.registerSource('politie-fietsdiefstal', { roles: 'safety_analyst,enforcement' });
  analystPw = await w.addUser('analist', 'safety_analyst');
  officerPw = await w.addUser('privacy', 'privacy_officer');

  // Files dropped into the folder join the approved police source.
  await w.serve(['--watch', watchDir, '--source', 'politie-fietsdiefstal']);
  const browser = await w.browser();
  context = await w.context();
  page = await context.newPage();
  page.on('pageerror', (e) => { w.serverLog += `\n[page error] ${e.message}`; });
  await openDashboard(page);
  cookie = (await context.cookies()).find((c) => c.name === 'stad_session').value;
  assert.ok(browser);
  w.failed = false;
});

after(() => w.close());

// Marks the run as failed (to keep the temp files) when a test body throws.
function check(name, fn) {
  test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      w.failed = true;
      if (page) await shot(page, `failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
      throw e;
    }
  });
}

check('the map renders wijk and buurt polygons and clustered points', async () => {
  const polygons = await page.locator('.leaflet-areas-pane path').count();
  assert.ok(polygons > 100, `expected more than 100 area polygons, got ${polygons}`);
  await page.waitForSelector('.leaflet-marker-pane .leaflet-marker-icon', { timeout: 15000 });
  const markers = await page.locator('.leaflet-marker-pane .leaflet-marker-icon').count();
  assert.ok(markers > 0, 'expected clusters or points on the map');
  const total = await count(page, 'count-total');
  const shown = await count(page, 'count-points');
  assert.ok(total > 0, `expected events in the default period (last quarter of the data), got ${total}`);
  assert.ok(shown > 0 && shown <= total, `points on the map ${shown} of ${total}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  const hotCells = await page.locator('.leaflet-hot-pane path').count();
  const hotspots = await count(page, 'count-hotspots');
  assert.ok(hotspots === 0 || hotCells > 0, `${hotspots} hotspots but no hot cells on the map`);
  assert.equal(await page.locator('[data-testid="hotspot-row"]').count(), hotspots, 'one table row per hotspot');
  await shot(page, 'desktop');

  // The density layer loads when switched on.
  await page.check('[data-testid="layer-density"]');
  await page.waitForSelector('.leaflet-density-pane path', { timeout: 15000 });
  await shot(page, 'density');
  await page.uncheck('[data-testid="layer-density"]');
  assert.equal(await page.locator('.leaflet-density-pane path').count(), 0, 'the density layer is off again');
});

check('a period or kind filter changes the shown counts', async () => {
  const quarter = await count(page, 'count-total');
  await afterRefresh(page, () => page.selectOption('[data-testid="period"]', 'year'));
  const year = await count(page, 'count-total');
  assert.ok(year > quarter, `a year (${year}) holds more events than a quarter (${quarter})`);
  await afterRefresh(page, () => page.selectOption('[data-testid="period"]', '2w'));
  const twoWeeks = await count(page, 'count-total');
  assert.ok(twoWeeks < quarter, `two weeks (${twoWeeks}) hold fewer events than a quarter (${quarter})`);
  const weeks = Number(await page.getAttribute('[data-testid="trend"]', 'data-weeks'));
  assert.ok(weeks >= 2 && weeks <= 3, `the trend of two weeks has 2 or 3 ISO weeks, got ${weeks}`);
  await shot(page, 'filter-two-weeks');

  // Kinds: none selected shows nothing, all selected the same as before.
  await afterRefresh(page, () => page.click('#kinds-none'));
  assert.equal(await count(page, 'count-total'), 0, 'no kind selected: no events');
  await afterRefresh(page, () => page.click('#kinds-all'));
  assert.equal(await count(page, 'count-total'), twoWeeks, 'all kinds selected again');

  await afterRefresh(page, () => page.selectOption('[data-testid="period"]', 'quarter'));
  assert.equal(await count(page, 'count-total'), quarter, 'back to the quarter');
});

check('choosing a wijk zooms the map to it and filters', async () => {
  const city = await count(page, 'count-total');
  const zoomBefore = Number(await page.getAttribute('[data-testid="map"]', 'data-zoom'));
  const boundsBefore = await page.getAttribute('[data-testid="map"]', 'data-bounds');
  const options = await page.$$eval('[data-testid="district"] option', (os) => os.map((o) => ({ value: o.value, text: o.textContent })));
  assert.ok(options.length > 10, `expected the wijken in the select, got ${options.length - 1}`);
  const wijk = options.find((o) => /centrum|binnenstad/i.test(o.text)) || options[1];
  await afterRefresh(page, () => page.selectOption('[data-testid="district"]', wijk.value));
  await waitFor('the map to zoom in', async () =>
    Number(await page.getAttribute('[data-testid="map"]', 'data-zoom')) > zoomBefore, 5000);
  const boundsAfter = await page.getAttribute('[data-testid="map"]', 'data-bounds');
  assert.notEqual(boundsAfter, boundsBefore, 'the map bounds changed');
  const inWijk = await count(page, 'count-total');
  assert.ok(inWijk < city, `the wijk ${wijk.text} (${inWijk}) holds fewer events than the city (${city})`);
  await page.waitForTimeout(400); // let the zoom animation settle for the picture
  await shot(page, 'district-zoom');
  await afterRefresh(page, () => page.selectOption('[data-testid="district"]', ''));
  assert.equal(await count(page, 'count-total'), city, 'back to the whole city');
});

check('a file dropped into the watched folder appears without a reload', async () => {
  const meta = await getJSON('api/meta');
  const day = String(meta.period.max).slice(0, 10); // inside the default period, does not move it
  const before = await count(page, 'count-total');
  await page.evaluate(() => { window.__notReloaded = true; });
  const streets = [['Herestraat', 233720, 581750], ['Oude Ebbingestraat', 233950, 582520], ['Vismarkt', 233570, 582080],
    ['Grote Markt', 233880, 582050], ['Zuiderdiep', 233900, 581720], ['Brugstraat', 233700, 582300], ['Folkingestraat', 233560, 581760]];
  const csv = ['meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd',
    ...streets.map(([s, x, y], i) => `WEBTEST-${i + 1},${day},00:${String(10 + i).padStart(2, '0')},Fietsdiefstal,${s},${x},${y}`)].join('\n') + '\n';
  // Written under a hidden name and moved in, as a careful export would.
  fs.writeFileSync(path.join(watchDir, '.webtest.csv.part'), csv);
  fs.renameSync(path.join(watchDir, '.webtest.csv.part'), path.join(watchDir, 'webtest.csv'));
  const started = Date.now();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-total"]').dataset.value) === n,
    before + streets.length, { timeout: 10000 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
  await page.waitForSelector('[data-testid="batch-row"] >> text=webtest.csv', { timeout: 10000 });
  await shot(page, 'new-file');
  console.log(`# the new file appeared after ${seconds} s`);
});

check('without server-sent events the dashboard polls and still sees a new file', async () => {
  const ctx = await w.context({ viewport: { width: 1024, height: 768 } });
  try {
    await ctx.addInitScript(() => { delete window.EventSource; });
    const p = await ctx.newPage();
    await openDashboard(p);
    assert.equal(await p.getAttribute('body', 'data-live'), 'poll');
    const meta = await getJSON('api/meta');
    const day = String(meta.period.max).slice(0, 10);
    const before = await count(p, 'count-total');
    fs.writeFileSync(path.join(watchDir, 'webtest2.csv'), ['meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd',
      `WEBTEST2-1,${day},01:00,Fietsdiefstal,Herestraat,233720,581750`,
      `WEBTEST2-2,${day},01:05,Fietsdiefstal,Vismarkt,233570,582080`].join('\n') + '\n');
    await p.waitForFunction((n) => Number(document.querySelector('[data-testid="count-total"]').dataset.value) === n,
      before + 2, { timeout: 10000 });
    // The first page (server-sent events) sees it too.
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-total"]').dataset.value) === n,
      before + 2, { timeout: 10000 });
  } finally {
    await ctx.close();
  }
});

check('a malformed file in the watched folder is reported to the privacy officer, not to the analyst', async () => {
  const ctx = await w.context();
  try {
    const p = await ctx.newPage();
    await openDashboard(p, 'privacy', officerPw);
    fs.writeFileSync(path.join(watchDir, 'kapot.xlsx'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256)));
    const alert = p.locator('[data-testid="status-errors"] [data-testid="status-error"]', { hasText: 'kapot.xlsx' });
    await alert.first().waitFor({ timeout: 15000 });
    await alert.first().scrollIntoViewIfNeeded();
    await shot(p, 'status-error', { fullPage: true });
    // The watcher's reports name files of every source: the analyst is not told.
    const st = await getJSON('api/status');
    assert.equal(st.watch, null, 'no watch reports for the analyst');
    await page.waitForTimeout(5500); // one status poll of the analyst's page (every 5 s)
    assert.equal(await page.locator('[data-testid="status-error"]', { hasText: 'kapot.xlsx' }).count(), 0,
      'the analyst sees no report of kapot.xlsx');
  } finally {
    await ctx.close();
  }
});

check('the print view lays out an A4 page with map, hotspots, changes and the flex-team proposal', async () => {
  await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
  await page.click('[data-testid="print-button"]');
  await page.waitForFunction(() => window.__printed > 0, null, { timeout: 15000 });
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.isVisible('[data-testid="change-table"]'), 'the changes are shown in print');
  assert.ok(await page.isVisible('[data-testid="flex-table"]'), 'the flex-team proposal is shown in print');
  assert.ok(!(await page.isVisible('[data-testid="filters"]')), 'the filters are not printed');
  const flexRows = await page.locator('#flex-rows tr').count();
  assert.ok(flexRows > 0, 'the flex-team table has rows');
  await page.pdf({ path: path.join(SHOTS, 'print-a4.pdf'), format: 'A4', printBackground: true });
  await shot(page, 'print', { fullPage: true });
  await page.emulateMedia({ media: 'screen' });
});

check('a phone-sized screen renders without horizontal scrolling, filters in a drawer', async () => {
  const phone = await w.context({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  try {
    const p = await phone.newPage();
    await openDashboard(p);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow} px on a 390 px wide screen`);
    assert.ok(!(await p.isVisible('[data-testid="filters"]')), 'the filters start collapsed');
    assert.ok((await p.locator('.leaflet-areas-pane path').count()) > 100, 'the polygons render on the phone too');
    await shot(p, 'phone');
    await p.click('[data-testid="drawer-toggle"]');
    assert.ok(await p.isVisible('[data-testid="filters"]'), 'the drawer opens');
    const drawer = await p.locator('[data-testid="filters"]').boundingBox();
    const map = await p.locator('[data-testid="map"]').boundingBox();
    assert.ok(drawer.y + drawer.height <= map.y + 1, 'the drawer is above the map');
    const overflow2 = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow2 <= 0, `horizontal overflow of ${overflow2} px with the drawer open`);
    await shot(p, 'phone-drawer');
    await shot(p, 'phone-full', { fullPage: true });
  } finally {
    await phone.close();
  }
});

check('the dashboard made no request outside the stad server', async () => {
  assert.deepEqual(w.external, [], `external requests: ${w.external.join(', ')}`);
});
