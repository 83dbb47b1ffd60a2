// Printable A4 view for the bi-weekly enforcement meeting: the map, the top hotspots,
// the changes per wijk against the previous period (/api/change) and the flex-team
// proposal (/api/flexteam?shifts=4). The layout is in style.css (@media print and
// body.app-printing, which gives the map its A4 size before Leaflet redraws).

import { api } from './api.js';
import { td, row, formatCount, formatRatio, formatDate } from './util.js';

const MAX_CHANGE_ROWS = 12;

export async function loadPrintData(filters, signal) {
  const p = filters.params();
  const [change, flex] = await Promise.all([
    api.change(p, 'wijk', signal).catch((e) => ({ error: e.message })),
    api.flexteam(p, 4, signal).catch((e) => ({ error: e.message })),
  ]);
  renderChange(change);
  renderFlex(flex);
  document.getElementById('print-footer').textContent =
    `Gemaakt met stad op ${new Date().toLocaleString('nl-NL')} · selectie: ${filters.summary()}`;
}

function renderChange(ch) {
  const tbody = document.getElementById('change-rows');
  const period = document.getElementById('change-period');
  if (!ch || ch.error) {
    period.textContent = `Veranderingen niet beschikbaar${ch && ch.error ? `: ${ch.error}` : ''}.`;
    tbody.replaceChildren();
    return;
  }
  period.textContent = ch.previous
    ? `${formatDate(ch.from)} t/m ${formatDate(ch.to)} tegen ${formatDate(ch.previous.from)} t/m ${formatDate(ch.previous.to)}.`
    : '';
  const rows = (ch.rows || []).slice()
    .sort((a, b) => (Number(b.count) - Number(b.previous)) - (Number(a.count) - Number(a.previous)))
    .slice(0, MAX_CHANGE_ROWS);
  tbody.replaceChildren(...rows.map((r) => row([
    td(r.name || r.area),
    td(formatCount(r.count), { numeric: true }),
    td(formatCount(r.previous), { numeric: true }),
    td(formatRatio(r.ratio), { numeric: true }),
    td(r.significant ? 'ja' : 'nee'),
  ])));
  if (!rows.length) tbody.replaceChildren(row([td('Geen meldingen in deze of de vorige periode.', { attrs: { colspan: 5 } })]));
}

function renderFlex(fx) {
  const tbody = document.getElementById('flex-rows');
  if (!fx || fx.error) {
    tbody.replaceChildren(row([td(`Geen voorstel beschikbaar${fx && fx.error ? `: ${fx.error}` : ''}.`, { attrs: { colspan: 5 } })]));
    return;
  }
  const list = fx.proposal || [];
  if (!list.length) {
    tbody.replaceChildren(row([td('Geen voorstel: er zijn geen hotspots in deze selectie.', { attrs: { colspan: 5 } })]));
    return;
  }
  tbody.replaceChildren(...list.map((p) => row([
    td(String(p.rank), { numeric: true }),
    td(String(p.hotspot ?? ''), { numeric: true }),
    td(p.area_name || p.area || ''),
    td(p.expected === undefined ? '–' : formatRatio(p.expected), { numeric: true }),
    td(flexReason(p)),
  ])));
}

// The meeting reads Dutch: prefer reason_nl, else build it from the numbers, else the
// server's own text.
function flexReason(p) {
  if (p.reason_nl) return p.reason_nl;
  if (p.recent !== undefined && p.expected !== undefined) {
    const place = p.area_name || p.area || '';
    return `Hotspot ${p.hotspot ?? ''}${place ? ` (${place})` : ''}: ${formatCount(p.recent)} meldingen in de laatste 28 dagen; `
      + `verwacht ${formatRatio(p.expected)} in de komende 14 dagen.`;
  }
  return p.reason || '';
}

// Gives the page its print layout, waits for the map to redraw, prints, and restores.
export async function printView({ filters, map }) {
  document.body.classList.add('app-printing');
  try {
    await loadPrintData(filters);
  } catch (_) { /* the tables say what failed */ }
  map.invalidate();
  map.zoomToArea(filters.area, false);
  await new Promise((r) => setTimeout(r, 400));
  const done = () => {
    document.body.classList.remove('app-printing');
    map.invalidate();
    window.removeEventListener('afterprint', done);
  };
  window.addEventListener('afterprint', done);
  window.print();
  // Browsers that do not fire afterprint (or print without a dialog) still restore.
  setTimeout(() => { if (document.body.classList.contains('app-printing')) done(); }, 1500);
}
