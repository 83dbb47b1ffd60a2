// Browser test of the forecast layer and the "Hoe goed was de voorspelling?" panel on
// the real Cincinnati burglary data (PROTOCOL.md): an analyst whose role the police
// source lists logs in through the login page, switches the layer on, and sees the
// flagged cells on the map and the backtest's hit rates in the panel, the same figures
// the API gives. A role the source does not list gets an empty forecast (login through
// the API with fetch, cookies by hand).
//
//   STAD=build/stad STAD_SHARED_DATA=../shared/data STAD_TMP=build/tmp node --test tests/web/forecast.test.mjs
//
// Needs web/dist (scripts/build-web) and /usr/bin/chromium; shared set-up in lib.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WebStage, SHARED, login, shot, waitFor } from './lib.mjs';

const CINCINNATI = path.join(SHARED, 'crime', 'cincinnati-burglary-2016-2018', 'cincinnati_burglary_incidents.csv.gz');
const SOURCE = 'cpd-inbraak';

const w = new WebStage('forecast');
let page;
let cookie;      // the analyst's session, for requests from node
let analystPw;
let otherPw;     // enforcement: a role the source does not list

before(async () => {
  w.init();
  assert.ok(fs.existsSync(CINCINNATI), `missing data file ${CINCINNATI}`);
  await w.stad('init', '--city', 'cincinnati');
  await w.stad('-q', 'ingest', '--source', SOURCE, CINCINNATI);
  await w.registerSource(SOURCE, { roles: 'safety_analyst', holder: 'Cincinnati Police Department',
    purpose: 'voorspelling woninginbraak', legalBasis: 'open data (city of Cincinnati)' });
  analystPw = await w.addUser('analist', 'safety_analyst');
  otherPw = await w.addUser('handhaver', 'enforcement');
  await w.serve();
  await w.browser();
  const context = await w.context();
  page = await context.newPage();
  page.on('pageerror', (e) => { w.serverLog += `\n[page error] ${e.stack || e.message}`; });
  await login(page, w.base, 'analist', analystPw);
  cookie = (await context.cookies()).find((c) => c.name === 'stad_session').value;
  w.failed = false;
});

after(() => w.close());

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

check('the forecast layer draws the flagged cells and the panel shows the hit rates', async () => {
  assert.ok(await page.isHidden('[data-testid="forecast-panel"]'), 'no panel before the layer is on');
  await page.check('[data-testid="layer-forecast"]');
  await page.waitForSelector('[data-testid="forecast-panel"][data-state="ready"]', { timeout: 60000 });

  // The map: one path per flagged cell, as many as the API flags (5% of the study area).
  const fc = await w.getJSON('api/forecast?method=covariate', cookie);
  assert.ok(fc.study_cells > 5000, `Cincinnati's study area has thousands of cells, got ${fc.study_cells}`);
  assert.equal(fc.shown, Math.ceil(0.05 * fc.study_cells));
  assert.equal(fc.features.length, fc.shown);
  assert.equal(fc.from, '2019-01-01', 'the day after the latest burglary (2018-12-31)');
  await waitFor('the forecast cells on the map', async () =>
    (await page.locator('.leaflet-forecast-pane path').count()) === fc.shown, 10000);
  assert.equal(await page.getAttribute('[data-testid="map"]', 'data-forecast-cells'), String(fc.shown));

  // The panel: one row per method, with the backtest's figures.
  const bt = await w.getJSON('api/backtest?methods=covariate,sepp,longrun,prospective,count365', cookie);
  assert.equal(bt.windows, 26);
  const rows = page.locator('[data-testid="forecast-row"]');
  assert.equal(await rows.count(), 5);
  for (const m of bt.methods) {
    const cells = page.locator(`[data-testid="forecast-row"][data-method="${m.method}"] td`);
    const hr5 = await cells.nth(2).getAttribute('data-value');
    assert.equal(Number(hr5), m.hit_rate[3], `${m.method}: HR@5% in the panel`);
    const text = await cells.nth(2).textContent();
    assert.match(text, /^\d{1,3},\d\s?%$/, `${m.method}: HR@5% shown as a Dutch percentage, got ${text}`);
    assert.equal(text.replace(/\s/g, ''), `${(100 * m.hit_rate[3]).toFixed(1).replace('.', ',')}%`);
  }
  // The windows' events, counted independently through /api/events.
  const ev = await w.getJSON(`api/events?kind=burglary&from=${bt.from}&to=${bt.to}&page_size=1`, cookie);
  assert.equal(bt.methods[0].events_all, ev.total, 'events scored = events in the test period');
  // What docs/forecasting.md claims: the model beats the count of the last year.
  const hr = Object.fromEntries(bt.methods.map((m) => [m.method, m.hit_rate[3]]));
  assert.ok(hr.covariate > hr.count365, `covariate HR@5% ${hr.covariate} > count365 ${hr.count365}`);
  const summary = await page.textContent('[data-testid="forecast-summary"]');
  assert.match(summary, /26 periodes van 14 dagen/);
  assert.ok(summary.includes((100 * hr.covariate).toFixed(1).replace('.', ',')), summary);
  await shot(page, 'forecast');

  // A cell explains itself.
  // (dispatched: points and hot cells lie above the forecast cells and catch a real hover)
  await page.locator('.leaflet-forecast-pane path').first().dispatchEvent('mouseover');
  await page.waitForSelector('.leaflet-tooltip:has-text("Voorspelling: plaats")', { timeout: 5000 });

  await page.uncheck('[data-testid="layer-forecast"]');
  assert.equal(await page.locator('.leaflet-forecast-pane path').count(), 0, 'the layer is off again');
  assert.ok(await page.isHidden('[data-testid="forecast-panel"]'));
});

check('a role the source does not list gets no forecast', async () => {
  const res = await fetch(new URL('api/login', w.base), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'handhaver', password: otherPw }),
  });
  assert.equal(res.status, 200);
  const other = /stad_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  const fc = await w.getJSON('api/forecast', other);
  assert.equal(fc.features.length, 0);
  assert.equal(fc.study_cells, 0);
  const bt = await w.getJSON('api/backtest', other);
  assert.equal(bt.methods.length, 0);
  // and the analyst, for comparison, does get one
  assert.ok((await w.getJSON('api/forecast', cookie)).features.length > 0);
});
