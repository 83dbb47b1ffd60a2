// Weekly trend as a small SVG chart drawn here (no chart library): bars for up to
// 60 weeks, an area line beyond that. Redrawn at the container's width on resize.

import { formatCount } from './util.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

// A "nice" upper bound and step for the y axis: 1, 2, 5 x 10^k.
function niceScale(max, ticks = 4) {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  return { top: Math.ceil(max / step) * step, step };
}

// '2017-W37' -> 'wk 37 2017'
function weekLabel(w, withYear) {
  const m = /^(\d{4})-W(\d{2})$/.exec(w || '');
  if (!m) return w || '';
  return withYear ? `wk ${Number(m[2])} '${m[1].slice(2)}` : `wk ${Number(m[2])}`;
}

export class TrendChart {
  constructor(container) {
    this.container = container;
    this.weeks = [];
    let t = null;
    this.resizeObserver = new ResizeObserver(() => {
      clearTimeout(t);
      t = setTimeout(() => this.draw(), 100);
    });
    this.resizeObserver.observe(container);
  }

  set(weeks) {
    this.weeks = Array.isArray(weeks) ? weeks : [];
    this.draw();
  }

  draw() {
    const c = this.container;
    const weeks = this.weeks;
    const total = weeks.reduce((s, w) => s + (Number(w.count) || 0), 0);
    c.dataset.weeks = String(weeks.length);
    c.dataset.total = String(total);
    if (!weeks.length) {
      c.replaceChildren(Object.assign(document.createElement('p'), {
        className: 'utrecht-paragraph utrecht-paragraph--small', textContent: 'Geen meldingen in deze periode.',
      }));
      return;
    }
    const W = Math.max(260, Math.floor(c.clientWidth || 600));
    const H = W < 480 ? 170 : 200;
    const m = { l: 40, r: 8, t: 10, b: 34 };
    const iw = W - m.l - m.r;
    const ih = H - m.t - m.b;
    const max = Math.max(...weeks.map((w) => Number(w.count) || 0));
    const { top, step } = niceScale(max);
    const y = (v) => m.t + ih - (v / top) * ih;
    const bw = iw / weeks.length;

    const root = svg('svg', {
      width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'app-trend__svg',
      'aria-label': `Meldingen per week: ${weeks.length} weken, in totaal ${formatCount(total)}, hoogste week ${formatCount(max)}`,
    });

    // Grid lines and y labels
    for (let v = 0; v <= top + 1e-9; v += step) {
      root.append(svg('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), class: 'app-trend__grid' }));
      root.append(svg('text', { x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'app-trend__label' }, formatCount(v)));
    }

    if (weeks.length <= 60) {
      weeks.forEach((w, i) => {
        const v = Number(w.count) || 0;
        const r = svg('rect', {
          x: m.l + i * bw + Math.min(1, bw * 0.1), y: y(v),
          width: Math.max(1, bw - Math.min(2, bw * 0.2)), height: Math.max(0, m.t + ih - y(v)),
          class: 'app-trend__bar',
        });
        r.append(svg('title', {}, `${weekLabel(w.week, true)}: ${formatCount(v)}`));
        root.append(r);
      });
    } else {
      const pts = weeks.map((w, i) => `${(m.l + (i + 0.5) * bw).toFixed(1)},${y(Number(w.count) || 0).toFixed(1)}`);
      root.append(svg('path', {
        d: `M${m.l + 0.5 * bw},${m.t + ih} L${pts.join(' L')} L${m.l + (weeks.length - 0.5) * bw},${m.t + ih} Z`,
        class: 'app-trend__area',
      }));
      root.append(svg('polyline', { points: pts.join(' '), class: 'app-trend__line' }));
    }

    // x labels: about one per 70 px, always the last week
    const every = Math.max(1, Math.ceil(weeks.length / Math.max(1, Math.floor(iw / 70))));
    const multiYear = weeks[0].week.slice(0, 4) !== weeks[weeks.length - 1].week.slice(0, 4);
    weeks.forEach((w, i) => {
      const last = i === weeks.length - 1;
      if (!last && (weeks.length - 1 - i) % every !== 0) return;
      const x = m.l + (i + 0.5) * bw;
      root.append(svg('line', { x1: x, x2: x, y1: m.t + ih, y2: m.t + ih + 4, class: 'app-trend__tick' }));
      root.append(svg('text', { x, y: H - m.b + 18, 'text-anchor': last ? 'end' : 'middle', class: 'app-trend__label' },
        weekLabel(w.week, multiYear || last)));
    });
    root.append(svg('line', { x1: m.l, x2: W - m.r, y1: m.t + ih, y2: m.t + ih, class: 'app-trend__axis' }));
    c.replaceChildren(root);
  }
}
