// Small DOM and formatting helpers shared by the modules.

// el('td', {class: 'x', 'data-testid': 'y'}, 'text', childNode, ...)
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

const nf = new Intl.NumberFormat('nl-NL');
const pf = new Intl.NumberFormat('nl-NL', { style: 'percent', maximumFractionDigits: 1 });
const rf = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 2 });

export const formatCount = (n) => nf.format(Number(n) || 0);
export const formatShare = (x) => (x === null || x === undefined ? '–' : pf.format(Number(x)));
export const formatRatio = (x) => (x === null || x === undefined || !Number.isFinite(Number(x)) ? '–' : rf.format(Number(x)));

// '2017-09-21' or '2017-09-21T14:00:00' -> '21-09-2017' (Dutch order)
export function formatDate(iso) {
  if (!iso) return '';
  const [y, m, d] = String(iso).slice(0, 10).split('-');
  return d && m && y ? `${d}-${m}-${y}` : String(iso);
}

// '2017-09-21T14:05:00' -> '21-09-2017 14:05'; a UTC time ('...Z') in local time.
export function formatDateTime(iso) {
  if (!iso) return '';
  const s = String(iso);
  if (/[zZ]$|[+-]\d\d:\d\d$/.test(s)) {
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) {
      return d.toLocaleString('nl-NL', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).replace(',', '');
    }
  }
  return s.length > 10 ? `${formatDate(s)} ${s.slice(11, 16)}` : formatDate(s);
}

// A table cell with utrecht classes.
export function td(content, opts = {}) {
  const cls = ['utrecht-table__cell'];
  if (opts.numeric) cls.push('utrecht-table__cell--numeric-data');
  if (opts.cls) cls.push(opts.cls);
  return el('td', { class: cls.join(' '), ...(opts.attrs || {}) }, content);
}

export function row(cells, attrs) {
  return el('tr', { class: 'utrecht-table__row', ...(attrs || {}) }, ...cells);
}

// Runs fn at most once per `ms`, trailing call guaranteed.
export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

export const isAbort = (e) => e && (e.name === 'AbortError' || e.code === 20);
