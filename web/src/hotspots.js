// Ranked hotspot table (from /api/hotspots). A row click or Enter flies the map to the
// hotspot's centroid.

import { el, td, row, formatCount, formatShare, formatRatio } from './util.js';

export function hotspotPlace(h, areaName = (c) => c) {
  const streets = Array.isArray(h.streets) ? h.streets.filter(Boolean) : [];
  const area = [h.buurt_name || areaName(h.buurt), h.wijk_name || areaName(h.wijk)].filter(Boolean).join(', ');
  return { streets: streets.slice(0, 3).join(', '), area };
}

function trendText(t, count) {
  if (!t || t.previous === undefined || t.previous === null) return '–';
  const prev = formatCount(t.previous);
  if (t.ratio === undefined || t.ratio === null || !Number.isFinite(Number(t.ratio))) {
    return Number(t.previous) === 0 && Number(count) > 0 ? `${prev} (nieuw)` : prev;
  }
  const ratio = Number(t.ratio);
  const arrow = ratio > 1.05 ? ' ▲' : ratio < 0.95 ? ' ▼' : '';
  const sig = t.p_value !== undefined && t.p_value !== null && Number(t.p_value) < 0.05 ? ' *' : '';
  return `${prev} (×${formatRatio(ratio)}${arrow}${sig})`;
}

// Fills a tbody with hotspots; limit rows (print shows fewer). onPick(hotspot) on click.
export function renderHotspots(tbody, hotspots, { limit = 50, onPick, areaName } = {}) {
  const list = (hotspots || []).slice(0, limit);
  if (!list.length) {
    tbody.replaceChildren(row([td('Geen significante hotspots in deze selectie.', { attrs: { colspan: 5 } })]));
    return;
  }
  tbody.replaceChildren(...list.map((h) => {
    const place = hotspotPlace(h, areaName);
    const r = row([
      td(String(h.rank), { numeric: true }),
      td([el('span', { class: 'app-place-streets' }, place.streets || '—'),
        place.area ? el('span', { class: 'app-place-area' }, place.area) : null]),
      td(formatCount(h.count), { numeric: true }),
      td(formatShare(h.share), { numeric: true, cls: 'app-col-optional' }),
      td(trendText(h.trend, h.count), { numeric: true }),
    ], { 'data-testid': 'hotspot-row', 'data-rank': h.rank });
    if (onPick && h.centroid) {
      r.tabIndex = 0;
      r.classList.add('app-row--clickable');
      r.title = 'Toon op de kaart';
      r.addEventListener('click', () => onPick(h));
      r.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(h); } });
    }
    return r;
  }));
}
