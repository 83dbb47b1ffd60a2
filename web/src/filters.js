// Filter panel: kinds (multi-select), period (presets relative to the newest event in
// the store, or a custom range) and wijk. Holds the filter state and tells main.js
// when it changes.

import { el, formatDate, formatCount } from './util.js';

// Preset -> number of days, ending at (and including) the newest event date.
const PRESET_DAYS = { '2w': 14, '4w': 28, quarter: 91, year: 364 };
export const DEFAULT_PRESET = 'quarter';

export function addDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function presetRange(preset, period) {
  const min = (period && period.min ? period.min : '').slice(0, 10);
  const max = (period && period.max ? period.max : '').slice(0, 10);
  if (!max) return { from: '', to: '' };
  if (preset === 'all' || !(preset in PRESET_DAYS)) return { from: min, to: max };
  let from = addDays(max, -(PRESET_DAYS[preset] - 1));
  if (min && from < min) from = min;
  return { from, to: max };
}

export class Filters {
  constructor(onChange) {
    this.onChange = onChange;
    this.kinds = [];            // [{kind, label_nl, count}]
    this.selected = new Set();  // selected kind slugs
    this.preset = DEFAULT_PRESET;
    this.from = '';
    this.to = '';
    this.area = '';             // wijk code
    this.areaNames = new Map(); // code -> name
    this.period = null;

    this.form = document.getElementById('filter-form');
    this.kindList = document.getElementById('kind-list');
    this.periodSel = document.getElementById('period');
    this.customRange = document.getElementById('custom-range');
    this.dateFrom = document.getElementById('date-from');
    this.dateTo = document.getElementById('date-to');
    this.district = document.getElementById('district');

    this.form.addEventListener('submit', (e) => e.preventDefault());
    this.periodSel.addEventListener('change', () => {
      this.preset = this.periodSel.value;
      if (this.preset === 'custom') {
        this.customRange.hidden = false;
        if (!this.dateFrom.value) this.dateFrom.value = this.from;
        if (!this.dateTo.value) this.dateTo.value = this.to;
        this.dateFrom.focus();
      } else {
        this.customRange.hidden = true;
        this.applyPreset();
      }
      this.changed('period');
    });
    const onDate = () => {
      const f = this.dateFrom.value;
      const t = this.dateTo.value;
      if (!f || !t) return;
      if (f > t) { this.dateTo.setCustomValidity('De einddatum ligt voor de begindatum.'); this.dateTo.reportValidity(); return; }
      this.dateTo.setCustomValidity('');
      this.from = f;
      this.to = t;
      this.changed('period');
    };
    this.dateFrom.addEventListener('change', onDate);
    this.dateTo.addEventListener('change', onDate);
    this.district.addEventListener('change', () => {
      this.area = this.district.value;
      this.changed('area');
    });
    document.getElementById('kinds-all').addEventListener('click', () => this.setAllKinds(true));
    document.getElementById('kinds-none').addEventListener('click', () => this.setAllKinds(false));
  }

  // Called with /api/meta on start and whenever the data version changes.
  setMeta(meta) {
    const first = this.period === null;
    this.period = meta.period || null;
    const known = new Set(this.kinds.map((k) => k.kind));
    this.kinds = (meta.kinds || []).slice().sort((a, b) => (b.count || 0) - (a.count || 0));
    for (const k of this.kinds) {
      // New kinds (and all kinds on the first load) start selected.
      if (first || !known.has(k.kind)) this.selected.add(k.kind);
    }
    for (const s of [...this.selected]) {
      if (!this.kinds.some((k) => k.kind === s)) this.selected.delete(s);
    }
    this.renderKinds();
    if (this.preset !== 'custom') this.applyPreset();
    const min = (this.period && this.period.min || '').slice(0, 10);
    const max = (this.period && this.period.max || '').slice(0, 10);
    for (const input of [this.dateFrom, this.dateTo]) {
      if (min) input.min = min;
      if (max) input.max = max;
    }
  }

  setWijken(features) {
    const opts = features
      .map((f) => f.properties || {})
      .filter((p) => p.code)
      .sort((a, b) => String(a.name || a.code).localeCompare(String(b.name || b.code), 'nl'));
    this.areaNames = new Map(opts.map((p) => [p.code, p.name || p.code]));
    const keep = this.district.value;
    this.district.replaceChildren(el('option', { value: '' }, 'Hele gemeente'),
      ...opts.map((p) => el('option', { value: p.code }, p.name || p.code)));
    if (keep && this.areaNames.has(keep)) this.district.value = keep;
  }

  applyPreset() {
    const r = presetRange(this.preset, this.period);
    this.from = r.from;
    this.to = r.to;
  }

  renderKinds() {
    if (!this.kinds.length) {
      this.kindList.replaceChildren(el('p', { class: 'utrecht-paragraph utrecht-paragraph--small' }, 'Nog geen meldingen ingelezen.'));
      return;
    }
    this.kindList.replaceChildren(...this.kinds.map((k, i) => {
      const id = `kind-${i}`;
      const input = el('input', {
        type: 'checkbox', id, value: k.kind,
        class: 'utrecht-checkbox utrecht-checkbox--html-input',
        'data-testid': `kind-${k.kind}`,
      });
      input.checked = this.selected.has(k.kind);
      input.addEventListener('change', () => {
        if (input.checked) this.selected.add(k.kind); else this.selected.delete(k.kind);
        this.changed('kind');
      });
      return el('div', { class: 'utrecht-form-field utrecht-form-field--checkbox' },
        input,
        el('label', { class: 'utrecht-form-label utrecht-form-label--checkbox', for: id },
          k.label_nl || k.kind, ' ', el('span', { class: 'app-kind-count' }, `(${formatCount(k.count || 0)})`)));
    }));
  }

  setAllKinds(on) {
    this.selected = on ? new Set(this.kinds.map((k) => k.kind)) : new Set();
    this.renderKinds();
    this.changed('kind');
  }

  // True when no kind is selected: nothing to show, no request needed.
  isEmpty() {
    return this.kinds.length > 0 && this.selected.size === 0;
  }

  // The common filter parameters of the API. All kinds selected -> no kind parameter.
  params() {
    const p = { from: this.from, to: this.to, area: this.area };
    if (this.selected.size && this.selected.size < this.kinds.length) {
      p.kind = [...this.selected].sort().join(',');
    }
    return p;
  }

  summary() {
    const parts = [];
    if (this.isEmpty()) parts.push('geen soort gekozen');
    else if (this.selected.size === this.kinds.length) parts.push(this.kinds.length === 1 ? (this.kinds[0].label_nl || this.kinds[0].kind) : 'alle soorten');
    else parts.push(this.kinds.filter((k) => this.selected.has(k.kind)).map((k) => k.label_nl || k.kind).join(', '));
    if (this.from && this.to) parts.push(`${formatDate(this.from)} t/m ${formatDate(this.to)}`);
    parts.push(this.area ? (this.areaNames.get(this.area) || this.area) : 'hele gemeente');
    return parts.join(' · ');
  }

  changed(what) {
    this.onChange(what);
  }
}
