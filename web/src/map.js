// The Leaflet map. It needs no internet: the base layer is the wijk and buurt
// polygons from /api/areas; a tile layer is added only when /api/meta names one.
// Overlays: clustered events, density (KDE) cells and hot cells, each in its own
// pane so their order is fixed whatever loads first.

import L from './leaflet-global.js';
import 'leaflet.markercluster';
import { el, formatDate, formatCount } from './util.js';

// Sequential ramp (light yellow -> dark red) for densities, low to high.
const RAMP = ['#fff7bc', '#fee391', '#fec44f', '#fe9929', '#ec7014', '#cc4c02', '#8c2d04'];

function rampColor(f) {
  const i = Math.max(0, Math.min(RAMP.length - 1, Math.floor(f * RAMP.length)));
  return RAMP[i];
}

const pointIcon = L.divIcon({ className: 'app-point', iconSize: [10, 10] });

export class StadMap {
  constructor(container, { kindLabel } = {}) {
    this.container = container;
    this.kindLabel = kindLabel || ((k) => k);
    this.map = L.map(container, {
      zoomControl: true,
      attributionControl: true,
      minZoom: 8,
      maxZoom: 19,
      zoomSnap: 0.25,
    });
    this.map.attributionControl.setPrefix('Leaflet');
    // Keep the areas under the overlays whatever loads first.
    this.map.createPane('areas').style.zIndex = 350;
    this.map.createPane('density').style.zIndex = 380;
    this.map.createPane('hot').style.zIndex = 420;

    this.wijken = null;
    this.buurten = null;
    this.wijkByCode = new Map();
    this.areaNames = new Map(); // wijk and buurt code -> name, for the popups
    this.cityBounds = null;
    this.tiles = null;
    this.cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      maxClusterRadius: 60,
    });
    this.density = L.layerGroup();
    this.hot = L.layerGroup();
    this.visible = { points: true, density: false, hot: true, buurt: true };
    this.map.addLayer(this.cluster);
    this.map.addLayer(this.hot);

    this.map.on('moveend zoomend', () => this.publishView());
    this.map.setView([53.2194, 6.5665], 12); // replaced by the area bounds once loaded
  }

  // Writes zoom and bounds on the container, for tests and for the print header.
  publishView() {
    const b = this.map.getBounds();
    this.container.dataset.zoom = String(Math.round(this.map.getZoom() * 100) / 100);
    this.container.dataset.bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map((v) => v.toFixed(5)).join(',');
  }

  setTiles(url, attribution) {
    if (this.tiles) { this.map.removeLayer(this.tiles); this.tiles = null; }
    if (!url) return;
    this.tiles = L.tileLayer(url, { maxZoom: 19, attribution: attribution || '' });
    this.tiles.addTo(this.map);
    this.container.classList.add('app-map--tiles');
  }

  setAreas(wijkFC, buurtFC) {
    if (this.wijken) this.map.removeLayer(this.wijken);
    if (this.buurten) this.map.removeLayer(this.buurten);
    this.wijkByCode.clear();
    for (const fc of [wijkFC, buurtFC]) {
      for (const f of (fc && fc.features) || []) {
        const p = f.properties || {};
        if (p.code) this.areaNames.set(p.code, p.name || p.code);
      }
    }
    const tooltip = (layer, p, what) => layer.bindTooltip(`${what} ${p.name || p.code}`, { sticky: true, direction: 'top' });
    this.buurten = L.geoJSON(buurtFC, {
      pane: 'areas',
      style: () => ({ className: 'app-buurt', weight: 1, fillOpacity: 1 }),
      onEachFeature: (f, layer) => tooltip(layer, f.properties || {}, 'Buurt'),
    });
    this.wijken = L.geoJSON(wijkFC, {
      pane: 'areas',
      interactive: false,
      style: () => ({ className: 'app-wijk', weight: 2.5, fill: false }),
      onEachFeature: (f, layer) => {
        const code = f.properties && f.properties.code;
        if (code) this.wijkByCode.set(code, layer);
      },
    });
    if (this.visible.buurt) this.buurten.addTo(this.map);
    this.wijken.addTo(this.map);
    const b = this.wijken.getBounds();
    this.cityBounds = b.isValid() ? b : (this.buurten.getBounds().isValid() ? this.buurten.getBounds() : null);
    if (this.cityBounds) this.map.setMaxBounds(this.cityBounds.pad(1.5));
  }

  // Zooms to a wijk (code) or, with '', to the whole city; highlights the wijk.
  zoomToArea(code, animate = true) {
    for (const [c, layer] of this.wijkByCode) {
      const el_ = layer.getElement && layer.getElement();
      if (el_) el_.classList.toggle('app-wijk--selected', c === code);
      // Multi-polygons are layer groups: walk them.
      if (layer.eachLayer) layer.eachLayer((l) => l.getElement && l.getElement() && l.getElement().classList.toggle('app-wijk--selected', c === code));
    }
    const layer = code ? this.wijkByCode.get(code) : null;
    const bounds = layer ? layer.getBounds() : this.cityBounds;
    if (bounds && bounds.isValid()) this.map.fitBounds(bounds, { padding: [12, 12], animate });
  }

  hasArea(code) {
    return this.wijkByCode.has(code);
  }

  // features: GeoJSON point features from /api/events
  setPoints(features) {
    this.cluster.clearLayers();
    const markers = [];
    for (const f of features) {
      const c = f.geometry && f.geometry.coordinates;
      if (!c || !Number.isFinite(c[0]) || !Number.isFinite(c[1])) continue;
      const p = f.properties || {};
      const m = L.marker([c[1], c[0]], { icon: pointIcon, keyboard: false });
      m.bindPopup(() => popupContent(p, this.kindLabel, (c) => this.areaNames.get(c) || c));
      markers.push(m);
    }
    this.cluster.addLayers(markers);
    return markers.length;
  }

  setDensity(fc) {
    this.density.clearLayers();
    if (!fc || !fc.features) return;
    const max = Number(fc.max) || Math.max(1, ...fc.features.map((f) => (f.properties && f.properties.density) || 0));
    L.geoJSON(fc, {
      pane: 'density',
      interactive: false,
      style: (f) => {
        const d = (f.properties && f.properties.density) || 0;
        const frac = Math.sqrt(Math.max(0, d / max));
        return { stroke: false, fillColor: rampColor(frac), fillOpacity: 0.45 + 0.4 * frac, className: 'app-density' };
      },
    }).addTo(this.density);
  }

  setHotCells(fc) {
    this.hot.clearLayers();
    if (!fc || !fc.features) return;
    L.geoJSON(fc, {
      pane: 'hot',
      style: () => ({ className: 'app-hot', weight: 1.5, fillOpacity: 0.35 }),
      onEachFeature: (f, layer) => {
        const p = f.properties || {};
        layer.bindTooltip(`Hotspot ${p.hotspot ?? ''}: ${formatCount(p.count)} meldingen, z = ${Number(p.z || 0).toFixed(1)}`, { sticky: true });
      },
    }).addTo(this.hot);
  }

  // A small legend for the overlays that are on.
  renderLegend(node) {
    const items = [];
    if (this.visible.points) items.push(el('li', {}, el('span', { class: 'app-legend__point' }), 'melding; cirkel met getal: groep'));
    if (this.visible.hot) items.push(el('li', {}, el('span', { class: 'app-legend__hot' }), 'hotspotcel (Gi*)'));
    if (this.visible.density) {
      items.push(el('li', {}, el('span', { class: 'app-legend__ramp', style: `background: linear-gradient(to right, ${RAMP.join(', ')})` }), 'dichtheid laag → hoog'));
    }
    node.replaceChildren(items.length ? el('ul', {}, ...items) : '');
    node.hidden = items.length === 0;
  }

  setVisible(name, on) {
    this.visible[name] = on;
    if (this.legend) this.renderLegend(this.legend);
    const layer = { points: this.cluster, density: this.density, hot: this.hot, buurt: this.buurten }[name];
    if (!layer) return;
    if (on && !this.map.hasLayer(layer)) this.map.addLayer(layer);
    if (!on && this.map.hasLayer(layer)) this.map.removeLayer(layer);
  }

  flyTo(lonlat, zoom = 16) {
    if (!lonlat || lonlat.length < 2) return;
    this.map.flyTo([lonlat[1], lonlat[0]], Math.max(zoom, this.map.getZoom()), { duration: 0.6 });
  }

  invalidate() {
    this.map.invalidateSize({ animate: false });
  }
}

function popupContent(p, kindLabel, areaName) {
  const when = p.t_to && p.t_to !== p.t_from
    ? `${formatDate(p.t_from)} ${String(p.t_from || '').slice(11, 16)} – ${formatDate(p.t_to)} ${String(p.t_to || '').slice(11, 16)}`
    : `${formatDate(p.t_from)} ${String(p.t_from || '').slice(11, 16)}`;
  return el('div', { class: 'app-popup' },
    el('strong', {}, kindLabel(p.kind)),
    el('br'), when,
    p.street ? [el('br'), p.street] : null,
    p.buurt || p.wijk ? [el('br'), [p.buurt, p.wijk].filter(Boolean).map(areaName).join(', ')] : null,
    p.count > 1 ? [el('br'), `${p.count} keer`] : null);
}
