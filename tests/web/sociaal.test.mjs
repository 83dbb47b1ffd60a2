// Browser test of the social-domain page (sociaal.html, issue 7): the synthetic
// population of scripts/demo-social (small SOCIAL_SCALE) in a social store, `stad serve
// --social-db`, and headless Debian chromium (playwright-core) as in dashboard.test.mjs.
//
// The expected figures come from the command line (`stad social analyse` on the same
// store with the same query), not from the server; the page must show the same total
// and the same number of suppressed cells, each as "onderdrukt" and never a number.
// STAD_WEB_DIST may name another built web folder than web/dist.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { WebStage, ROOT, STAD, WEB, shot, sessionCookie } from './lib.mjs';

const run = promisify(execFile);
const DIST = path.resolve(process.env.STAD_WEB_DIST || WEB);
const w = new WebStage('sociaal');
const pw = {};
let browser;
let socialDb;

async function openPage(name) {
  const ctx = await w.context();
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { w.serverLog += `\n[page error ${name}] ${e.message}`; });
  await page.goto(new URL('sociaal.html', w.base).href, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('[data-testid="login"]:not([hidden])', { timeout: 15000 });
  await page.fill('[data-testid="login-name"]', name);
  await page.fill('[data-testid="login-password"]', pw[name]);
  await page.click('[data-testid="login-submit"]');
  await page.waitForSelector('body[data-state="ready"], body[data-state="refused"], body[data-state="error"]', { timeout: 30000 });
  return { ctx, page };
}

before(async () => {
  w.init();
  assert.ok(fs.existsSync(path.join(DIST, 'sociaal.html')), `no ${DIST}/sociaal.html: run scripts/build-web`);
  const out = path.join(w.dir, 'social');
  await run(path.join(ROOT, 'scripts', 'demo-social'), [STAD, out],
    { env: { ...w.env(), SOCIAL_SCALE: '0.01' }, maxBuffer: 16 << 20 });
  socialDb = path.join(out, 'domain', 'social.db');
  await w.stad('init', '--city', 'utrecht');
  for (const s of ['leerplicht', 'inkomen', 'wijkteam']) {
    // The holder field names the account of the source holder (docs/social-dashboard.md).
    await w.registerSource(s, { roles: 'social_policy,source_holder', holder: s, sensitivity: 'social',
      purpose: 'sociaal domein: wat werkt voor wie', legalBasis: 'test' });
  }
  pw.beleid = await w.addUser('beleid', 'social_policy');
  pw.analist = await w.addUser('analist', 'safety_analyst');
  pw.leerplicht = await w.addUser('leerplicht', 'source_holder');
  await w.serve(['--social-db', socialDb, '--web', DIST]);
  browser = await w.browser();
  w.failed = false;
});

after(async () => { await w.close(); });

// The CLI's total line and suppressed cells for the page's first query.
async function cliTable() {
  const { stdout } = await run(STAD, ['social', 'analyse', '--db', socialDb, '--base', 'leerplicht',
    '--outcome', 'verzuim=ja', '--by', 'in_inkomen,wijk', '--from', '2024-01', '--to', '2024-06'], { env: w.env() });
  const total = /^\(total\)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(stdout);
  assert.ok(total, stdout);
  const table = stdout.split('\nlogistic regression')[0]; // coefficients are suppressed too
  const suppressed = (table.match(/suppressed \((fewer|secondary)/g) || []).length;
  return { rows: Number(total[1]), households: Number(total[2]), successes: Number(total[3]), suppressed };
}

test('social_policy sees the table per profile with suppressed cells as "onderdrukt"', async () => {
  const { ctx, page } = await openPage('beleid');
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    const want = await cliTable();
    assert.ok(want.suppressed > 0, 'the small population has suppressed cells');
    const sup = page.locator('[data-testid="social-table"] [data-testid="cell-suppressed"]');
    assert.equal(await sup.count(), want.suppressed);
    for (const text of await sup.allInnerTexts()) {
      assert.match(text, /onderdrukt/);
      // a suppressed row shows its labels (in_inkomen ja/nee, wijk code) and no figure
      const figures = text.replace(/WK\d+/g, '').replace(/onderdrukt.*$/s, '');
      assert.doesNotMatch(figures, /\d/, `a figure in a suppressed row: ${text}`);
    }
    const total = await page.locator('[data-testid="total"] td').allInnerTexts();
    const nums = total.map((t) => Number(t.replace(/\./g, ''))).filter((n) => Number.isFinite(n) && n > 0);
    assert.deepEqual(nums.slice(0, 3), [want.rows, want.households, want.successes]);
    assert.ok(await page.locator('[data-testid="coef"]').count() >= 2, 'regression coefficients shown');
    assert.ok(await page.locator('[data-testid="period"]').count() >= 2, 'months shown');
    await shot(page, 'sociaal-beleid', { fullPage: true });

    // a filter on a profile variable narrows the table
    await page.uncheck('[data-testid="by-in_inkomen"]');
    await page.selectOption('[data-testid="where-in_inkomen"]', 'yes');
    const before = Number(await page.getAttribute('body', 'data-refreshes'));
    await page.click('[data-testid="social-submit"]');
    await page.waitForFunction((n) => Number(document.body.dataset.refreshes) > n && document.body.dataset.state === 'ready',
      before, { timeout: 30000 });
    const narrowed = await page.locator('[data-testid="total"] td').allInnerTexts();
    const n2 = Number(narrowed[1].replace(/\./g, ''));
    assert.ok(n2 > 0 && n2 < want.rows, `filtered rows ${n2} of ${want.rows}`);
  } finally {
    await ctx.close();
  }
});

test('a safety analyst is refused, on the page and by the API', async () => {
  const { ctx, page } = await openPage('analist');
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'refused');
    assert.ok(await page.isVisible('[data-testid="social-refused"]'));
    assert.ok(!(await page.isVisible('[data-testid="social-table"]')));
    const cookie = await sessionCookie(ctx);
    assert.equal(await w.status('api/social/analyse?base=leerplicht&outcome=verzuim=ja', cookie), 403);
    assert.equal(await w.status('api/social/meta', cookie), 403);
  } finally {
    await ctx.close();
  }
});

test('a source holder sees its own source only, without linkage', async () => {
  const { ctx, page } = await openPage('leerplicht');
  try {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    const bases = await page.locator('[data-testid="social-base"] option').allInnerTexts();
    assert.deepEqual(bases, ['leerplicht']);
    assert.equal(await page.locator('[data-testid^="by-in_"]').count(), 0);
    assert.ok(await page.locator('[data-testid="total"]').count() === 1);
    const cookie = await sessionCookie(ctx);
    assert.equal(await w.status('api/social/analyse?base=leerplicht&outcome=verzuim=ja', cookie), 403);
    assert.equal(await w.status('api/social/holder?outcome=verzuim=ja&by=in_inkomen', cookie), 400);
  } finally {
    await ctx.close();
  }
});
