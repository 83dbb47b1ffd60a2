// The campaign view (#/campagnes) for the coordinator (roles admin and enforcement,
// the `campaigns` permission of /api/session): the plan of a day for a team
// (GET /api/bikes/plan) as coloured routes with numbered stops over the wijk
// polygons, the streets of each route in order, and the route sheets to download
// (GET /api/bikes/sheet: PDF, HTML, GPX, GeoJSON). The plan is the one the handhelds
// show for the same day, team size and hours (docs/handheld.md).

import L from './leaflet-global.js';
import { api, getJSON, query } from './api.js';
import { el, td, row, formatDate } from './util.js';
import { kindName, streetLabel, depotMarker, themeItems, fillThemes } from './routewords.js';

const $ = (id) => document.getElementById(id);

// The route colours of the PDF sheet (colour-blind safe).
export const ROUTE_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#595959'];
const routeColor = (r) => ROUTE_COLORS[(Number(r) - 1) % ROUTE_COLORS.length];


const clock = (m) => `${Math.floor(m / 60)}:${String(Math.round(m % 60)).padStart(2, '0')}`;
const localDate = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const number = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export class CampaignView {
  constructor() {
    this.view = $('campaign-view');
    this.map = null;
    this.wijken = null;
    this.layer = null;
    this.markers = new Map(); // "route.order" -> marker
    this.controller = null;
    $('campaign-date').value = localDate(new Date());
    $('campaign-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.load();
    });
  }

  params() {
    const enforcers = Math.max(1, Math.min(20, Math.round(Number($('campaign-enforcers').value) || 2)));
    const hours = Math.max(0.25, Math.min(12, Number($('campaign-hours').value) || 6));
    $('campaign-enforcers').value = enforcers;
    $('campaign-hours').value = hours;
    return { date: $('campaign-date').value || localDate(new Date()), enforcers, hours, theme: $('campaign-theme').value || 'bikes' };
  }

  // The map is made when the view is first shown: Leaflet needs a sized container.
  async ensureMap() {
    if (!this.map) {
      this.map = L.map('campaign-map', { zoomControl: true, attributionControl: false, minZoom: 9, maxZoom: 19, zoomSnap: 0.25 });
      this.map.createPane('areas').style.zIndex = 350;
      this.map.setView([53.2194, 6.5665], 12);
    }
    this.map.invalidateSize({ animate: false });
    if (!this.wijken) {
      const fc = await api.areas('wijk');
      this.wijken = L.geoJSON(fc, {
        pane: 'areas',
        style: () => ({ className: 'app-wijk', weight: 2, fill: true, fillOpacity: 0.04 }),
        onEachFeature: (f, layer) => layer.bindTooltip(`Wijk ${(f.properties || {}).name || (f.properties || {}).code || ''}`, { sticky: true }),
      }).addTo(this.map);
      const b = this.wijken.getBounds();
      if (b.isValid()) this.map.fitBounds(b, { padding: [8, 8], animate: false });
    }
  }

  setState(state) {
    this.view.dataset.state = state;
    this.view.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  }

  message(text) {
    $('campaign-message').textContent = text || '';
    $('campaign-message').hidden = !text;
  }

  async load() {
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    const p = this.params();
    this.setState('loading');
    $('campaign-summary').textContent = 'Routes worden berekend…';
    let plan;
    try {
      await this.ensureMap();
      plan = await getJSON('api/bikes/plan', p, { signal: controller.signal, cache: false });
    } catch (e) {
      if (controller.signal.aborted) return;
      this.message(e.status === 404
        ? 'Er is geen stratennet geladen (stad bikes streets load BESTAND).'
        : `De routes konden niet worden berekend: ${e.message}`);
      $('campaign-summary').textContent = '';
      this.setState('error');
      return;
    }
    if (controller.signal.aborted) return;
    this.message('');
    fillThemes($('campaign-theme'), plan.themes, plan.theme || p.theme, $('campaign-theme-field'));
    this.show(plan, p);
    this.setState('ready');
    this.view.dataset.loads = String(Number(this.view.dataset.loads || 0) + 1);
  }

  show(plan, p) {
    const routes = plan.routes || [];
    const stops = routes.reduce((n, r) => n + (r.stops || []).length, 0);
    const due = Number(plan.followups_due) || 0;
    $('campaign-summary').textContent = `${formatDate(plan.date)}: ${routes.length} ${routes.length === 1 ? 'route' : 'routes'}, `
      + `${stops} straten, naar verwachting ${number.format(Number(plan.expected_total) || 0)} ${themeItems(plan.theme)} te labelen`
      + (due ? `; ${plan.followups_planned} van ${due} nacontroles ingepland` : '') + '.';
    this.downloads(p, plan.date);
    this.drawMap(plan);
    $('campaign-routes').replaceChildren(...routes.map((r) => this.routeSection(r)));
    this.legend(routes);
  }

  downloads(p, date) {
    const box = $('campaign-downloads');
    for (const a of box.querySelectorAll('a[data-format]')) {
      const format = a.dataset.format;
      a.href = `api/bikes/sheet${query({ ...p, format })}`;
      a.setAttribute('download', `route-${p.theme}-${date}.${format}`);
    }
    box.hidden = false;
  }

  drawMap(plan) {
    if (this.layer) this.layer.remove();
    this.markers.clear();
    this.layer = L.featureGroup().addTo(this.map);
    // the way from the depot along the streets through the stops and back, dashed,
    // under the stops' streets themselves
    L.geoJSON(plan, {
      filter: (f) => f.properties && f.properties.type === 'path',
      style: (f) => ({ color: routeColor(f.properties.route), weight: 2, dashArray: '5 6', opacity: 0.8, className: 'app-route-path' }),
      interactive: false,
    }).addTo(this.layer);
    L.geoJSON(plan, {
      filter: (f) => f.properties && f.properties.type === 'stop',
      style: (f) => ({ color: routeColor(f.properties.route), weight: 6, opacity: 0.9, className: 'app-route-street' }),
      onEachFeature: (f, layer) => {
        const s = f.properties;
        layer.bindTooltip(`Route ${s.route}, stop ${s.order}: ${streetLabel(s) || 'straat'} (nr ${s.street}, ${kindName(s.kind)})`, { sticky: true });
      },
    }).addTo(this.layer);
    for (const r of plan.routes || []) {
      for (const s of r.stops || []) {
        const follow = s.action === 'followup';
        const html = `<div class="app-stop-marker${follow ? ' app-stop-marker--followup' : ''}" style="--route-color:${routeColor(s.route)}"`
          + ` data-testid="campaign-marker" data-route="${Number(s.route)}" data-order="${Number(s.order)}">${Number(s.order)}</div>`;
        const m = L.marker([s.lat, s.lon], {
          icon: L.divIcon({ className: '', html, iconSize: [22, 22] }),
          title: `route ${s.route}, stop ${s.order}`,
          keyboard: false,
        }).on('click', () => {
          const tr = document.querySelector(`[data-testid="campaign-stop"][data-route="${s.route}"][data-order="${s.order}"]`);
          if (tr) tr.scrollIntoView({ behavior: 'smooth', block: 'center' });
        }).addTo(this.layer);
        this.markers.set(`${s.route}.${s.order}`, m);
      }
    }
    // where the routes start and end, as on the PDF sheet
    const depot = depotMarker(plan, 'app-depot-marker', 'campaign-depot', 18);
    if (depot) depot.addTo(this.layer);
    const b = this.layer.getBounds();
    if (b.isValid()) this.map.fitBounds(b, { padding: [20, 20], animate: false });
  }

  routeSection(r) {
    const stops = r.stops || [];
    const head = [['#', true], ['Aankomst', true, 'app-col-optional'], ['Straat', false], ['Soort', false, 'app-col-optional'],
      ['Wijk', false], ['Taak', false], ['Verwacht', true]];
    const table = el('table', { class: 'utrecht-table utrecht-table--html-table app-table', 'data-testid': 'campaign-stops' },
      el('caption', { class: 'utrecht-table__caption app-visually-hidden' }, `Straten van route ${r.route} in volgorde`),
      el('thead', { class: 'utrecht-table__header' }, el('tr', { class: 'utrecht-table__row' },
        ...head.map(([t, num, cls]) => el('th', {
          scope: 'col',
          class: `utrecht-table__header-cell${num ? ' utrecht-table__header-cell--numeric-column' : ''}${cls ? ` ${cls}` : ''}`,
        }, t)))),
      el('tbody', { class: 'utrecht-table__body' }, ...stops.map((s) => {
        const tr = row([
          td(s.order, { numeric: true }),
          td(clock(s.arrive_min), { numeric: true, cls: 'app-col-optional' }),
          td(`${streetLabel(s) || `nr ${s.street}`} · ${Math.round(s.length_m)} m`),
          td(kindName(s.kind), { cls: 'app-col-optional' }),
          td(s.wijk || '–'),
          td(s.action === 'followup' ? 'nacontrole' : 'labelen'),
          td(s.action === 'followup' ? `${Math.round(s.expected)} labels uit` : number.format(s.expected), { numeric: true }),
        ], { 'data-testid': 'campaign-stop', 'data-route': s.route, 'data-order': s.order, 'data-street': s.street, tabindex: 0 });
        const pick = () => {
          const m = this.markers.get(`${s.route}.${s.order}`);
          if (m) {
            this.map.setView(m.getLatLng(), Math.max(16, this.map.getZoom()));
            $('campaign-map').scrollIntoView({ behavior: 'smooth', block: 'center' });
          }
        };
        tr.addEventListener('click', pick);
        tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') pick(); });
        return tr;
      })));
    return el('section', {
      class: 'app-campaign-route', style: `--route-color:${routeColor(r.route)}`,
      'data-testid': 'campaign-route', 'data-route': r.route, 'aria-label': `Route ${r.route}`,
    },
    el('h3', { class: 'utrecht-heading-3' }, `Route ${r.route} · ${stops.length} ${stops.length === 1 ? 'stop' : 'stops'} · ${clock(r.minutes)} uur`),
    stops.length
      ? el('div', { class: 'utrecht-table-container utrecht-table-container--overflow-inline app-table-wrap' }, table)
      : el('p', { class: 'utrecht-paragraph utrecht-paragraph--small' }, 'Geen straten: er past niets in de tijd van deze route.'));
  }

  legend(routes) {
    const node = $('campaign-legend');
    node.replaceChildren(el('ul', {},
      ...routes.map((r) => el('li', {}, el('span', { class: 'app-legend__route', style: `background:${routeColor(r.route)}` }), `route ${r.route}`)),
      el('li', {}, el('span', { class: 'app-stop-marker', style: '--route-color:#333;inline-size:16px;block-size:16px;font-size:9px' }, '1'), 'stop in volgorde')));
    node.hidden = !routes.length;
  }

  // Called when the view is shown: the plan of the form's day, once.
  shown() {
    if (this.map) this.map.invalidateSize({ animate: false });
    if (!this.view.dataset.loads && this.view.dataset.state !== 'loading') this.load();
  }
}
