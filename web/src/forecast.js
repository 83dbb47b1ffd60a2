// The forecast layer and the "Hoe goed was de voorspelling?" panel
// (docs/forecasting.md). /api/forecast gives the cells with the highest forecast risk
// for the next two weeks (by default the top 5% of the study area); /api/backtest says,
// for the past year of two-week windows, which share of the events fell in the cells
// each method flagged. Both are asked only while the layer is on: a backtest takes
// seconds the first time (the server then keeps it until new data arrives).

import L from './leaflet-global.js';
import { getJSON } from './api.js';
import { el, formatCount, formatDate, isAbort, td, row } from './util.js';

const $ = (id) => document.getElementById(id);

// Methods shown in the panel, with Dutch names; the forecast on the map uses MAP_METHOD.
const METHODS = [
  ['covariate', 'Regressiemodel (buurt, verleden, omgeving)'],
  ['sepp', 'Zelfversterkend puntproces (near-repeat)'],
  ['longrun', 'Twee jaar, licht uitgesmeerd'],
  ['prospective', 'Prospectieve hotspots (8 weken)'],
  ['count365', 'Aantal van het afgelopen jaar (basislijn)'],
];
const MAP_METHOD = 'covariate';
const SHOW = [0, 3, 4, 5]; // indexes of 1, 5, 10, 20% in the API's coverage list

// Purple ramp, light to dark, for the risk rank of a flagged cell.
const RAMP = ['#efedf5', '#dadaeb', '#bcbddc', '#9e9ac8', '#807dba', '#6a51a3', '#4a1486'];

const pct = new Intl.NumberFormat('nl-NL', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const num = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 1 });
const fmtPct = (x) => (x === null || x === undefined || !Number.isFinite(Number(x)) ? '–' : pct.format(Number(x)));

export class ForecastLayer {
  // stadMap: the StadMap; kindLabel(kind) -> Dutch label
  constructor(stadMap, { kindLabel } = {}) {
    this.stadMap = stadMap;
    this.kindLabel = kindLabel || ((k) => k);
    this.on = false;
    this.kind = '';          // '' = the configured default kind (config/forecast.conf)
    this.controller = null;
    stadMap.map.createPane('forecast').style.zIndex = 400;
    this.layer = L.layerGroup();
    this.panel = $('forecast-panel');
    this.select = $('forecast-kind');
    this.select.addEventListener('change', () => {
      this.kind = this.select.value;
      this.load();
    });
  }

  // The kinds of /api/meta, so the analyst can forecast another kind than the default.
  setKinds(kinds) {
    const keep = this.select.value;
    const opts = [el('option', { value: '' }, 'Standaard (instelling)')];
    for (const k of kinds || []) opts.push(el('option', { value: k.kind }, `${k.label_nl || k.kind} (${formatCount(k.count)})`));
    this.select.replaceChildren(...opts);
    this.select.value = [...this.select.options].some((o) => o.value === keep) ? keep : '';
  }

  setOn(on) {
    this.on = on;
    this.panel.hidden = !on;
    const map = this.stadMap.map;
    if (on && !map.hasLayer(this.layer)) map.addLayer(this.layer);
    if (!on && map.hasLayer(this.layer)) map.removeLayer(this.layer);
    if (on) return this.load();
    if (this.controller) this.controller.abort();
    return Promise.resolve();
  }

  // Loads the forecast and the backtest (again: new data, another kind).
  async load() {
    if (!this.on) return;
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    const params = { kind: this.kind || undefined };
    this.panel.dataset.state = 'loading';
    $('forecast-summary').textContent = 'De voorspelling wordt berekend…';
    try {
      const [fc, bt] = await Promise.all([
        getJSON('api/forecast', { ...params, method: MAP_METHOD }, { signal }),
        getJSON('api/backtest', { ...params, methods: METHODS.map((m) => m[0]).join(',') }, { signal }),
      ]);
      if (signal.aborted) return;
      this.draw(fc);
      this.renderPanel(fc, bt);
      this.panel.dataset.state = 'ready';
    } catch (e) {
      if (isAbort(e) || signal.aborted) return;
      this.layer.clearLayers();
      this.panel.dataset.state = 'error';
      $('forecast-summary').textContent = `De voorspelling is niet beschikbaar: ${e.message}`;
      $('forecast-rows').replaceChildren();
    }
  }

  draw(fc) {
    this.layer.clearLayers();
    const n = (fc.features || []).length;
    this.stadMap.container.dataset.forecastCells = String(n);
    if (!n) return;
    L.geoJSON(fc, {
      pane: 'forecast',
      style: (f) => {
        const rank = Number(f.properties && f.properties.rank) || n;
        const frac = 1 - (rank - 1) / n; // 1 for the top cell
        const color = RAMP[Math.min(RAMP.length - 1, Math.floor(frac * RAMP.length))];
        return { className: 'app-forecast', color: '#3f007d', weight: 0.5, fillColor: color, fillOpacity: 0.55 };
      },
      onEachFeature: (f, layer) => {
        const p = f.properties || {};
        const risk = fc.rate ? `verwacht ${num.format(Number(p.risk) || 0)} in 2 weken` : `score ${num.format(Number(p.risk) || 0)}`;
        layer.bindTooltip(el('div', { class: 'app-forecast-tip' },
          el('strong', {}, `Voorspelling: plaats ${p.rank} van ${formatCount(fc.study_cells)}`), el('br'),
          `${risk}; ${formatCount(p.recent)} in het afgelopen jaar`, el('br'),
          el('small', {}, p.reason || '')), { sticky: true });
      },
    }).addTo(this.layer);
    // A city without wijk/buurt polygons has no extent of its own: show the cells.
    if (!this.stadMap.cityBounds) {
      const b = L.geoJSON(fc).getBounds();
      if (b.isValid()) this.stadMap.map.fitBounds(b, { padding: [12, 12], animate: false });
    }
  }

  renderPanel(fc, bt) {
    const what = fc.kind ? fc.kind.split(',').map(this.kindLabel).join(', ') : 'alle meldingen';
    const summary = [];
    if (!fc.study_cells) {
      summary.push(`Er zijn geen meldingen van ${what} om een voorspelling op te baseren. Kies een andere soort.`);
    } else {
      summary.push(`De kaart toont de ${formatCount(fc.shown)} cellen van ${num.format(fc.cell)} m`
        + ` (de hoogste ${pct.format(fc.shown / fc.study_cells)} van het gebied met eerdere meldingen)`
        + ` met de grootste kans op ${what} van ${formatDate(fc.from)} tot en met ${formatDate(fc.to)}`
        + (fc.rate && fc.expected_total !== null ? `; in de hele stad worden er ${num.format(fc.expected_total)} verwacht.` : '.'));
      if (fc.used && fc.used !== fc.method) summary.push(`Te weinig gegevens voor het regressiemodel: de kaart gebruikt ${fc.used}.`);
    }
    const rows = bt.methods || [];
    const byName = new Map(rows.map((r) => [r.method, r]));
    const best = byName.get(MAP_METHOD);
    const base = byName.get('count365');
    if (bt.windows > 0 && best) {
      summary.push(`Getoetst op ${bt.windows} periodes van ${bt.horizon} dagen (${formatDate(bt.from)} tot en met ${formatDate(bt.to)}),`
        + ` steeds alleen met de meldingen van daarvoor: in de 5% cellen met de hoogste voorspelling vielen`
        + ` ${fmtPct(best.hit_rate[3])} van de ${formatCount(best.events_all)} meldingen`
        + (base ? ` (het aantal van het afgelopen jaar haalde ${fmtPct(base.hit_rate[3])}).` : '.'));
    } else if (fc.study_cells) {
      summary.push('Voor een toets is nog te weinig geschiedenis.');
    }
    $('forecast-summary').textContent = summary.join(' ');
    $('forecast-rows').replaceChildren(...METHODS.filter(([m]) => byName.has(m)).map(([m, label]) => {
      const r = byName.get(m);
      const cells = [td(label + (r.used !== r.method ? ` (was ${r.used})` : ''))];
      for (const i of SHOW) cells.push(td(fmtPct(r.hit_rate[i]), { numeric: true, attrs: { 'data-value': String(r.hit_rate[i]) } }));
      cells.push(td(r.pai[3] === null ? '–' : num.format(r.pai[3]), { numeric: true }));
      const cls = `utrecht-table__row${m === MAP_METHOD ? ' app-forecast-row--map' : ''}`;
      return row(cells, { 'data-testid': 'forecast-row', 'data-method': m, class: cls });
    }));
    $('forecast-note').textContent = bt.windows > 0
      ? `Trefkans: het deel van de meldingen in de gemarkeerde cellen (1, 5, 10 of 20% van het gebied), over alle periodes samen. PAI = trefkans gedeeld door het deel van het gebied. Onderzoeksgebied: ${formatCount(bt.study_cells)} cellen.`
      : '';
  }
}
