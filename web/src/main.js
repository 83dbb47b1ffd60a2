// The stad dashboard: wires the filters, map, trend, hotspot table, status panel and
// print view to the API, and refreshes when the data version changes (server-sent
// events from /api/changes, or polling /api/health every 5 s when those fail).
// Nothing loads before someone has logged in (session.js); what the page shows
// follows the roles of the session: data layers and panels only for roles that read
// data, the register and the audit log only for the privacy officer and the admin.

import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import '@utrecht/component-library-css/dist/index.css';
import '@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css';
import './style.css';

import { api } from './api.js';
import { Filters } from './filters.js';
import { StadMap } from './map.js';
import { TrendChart } from './trend.js';
import { renderHotspots } from './hotspots.js';
import { StatusPanel } from './status.js';
import { printView } from './print.js';
import { formatCount, isAbort } from './util.js';
import { Session, roleName } from './session.js';
import { RegisterView } from './register.js';
import { AuditView } from './audit.js';
import { ForecastLayer } from './forecast.js';
import { CampaignView } from './campaigns.js';

const POINT_CAP = 5000;      // markers on the map at most
const POLL_MS = 5000;        // health/status polling interval

const $ = (id) => document.getElementById(id);

const state = {
  meta: null,
  dataVersion: null,
  controller: null,  // aborts the previous refresh
  refreshes: 0,
  baseLoaded: false,
  connectionLost: false,
  kindLabels: new Map(),
  pendingSources: 0, // sources waiting for approval that this session sees anyway
};

const session = new Session();
const status = new StatusPanel();
const filters = new Filters((what) => onFilterChange(what));
const map = new StadMap($('kaart'), { kindLabel: (k) => state.kindLabels.get(k) || k });
const trend = new TrendChart($('trend'));
const forecast = new ForecastLayer(map, { kindLabel: (k) => state.kindLabels.get(k) || k });

function setBusy(busy) {
  document.body.dataset.state = busy ? 'loading' : 'ready';
  $('main').setAttribute('aria-busy', busy ? 'true' : 'false');
}

function setCount(id, value) {
  const node = $(id);
  node.textContent = value === null ? '–' : formatCount(value);
  node.dataset.value = value === null ? '' : String(value);
}

function applyMeta(meta) {
  state.meta = meta;
  state.kindLabels = new Map((meta.kinds || []).map((k) => [k.kind, k.label_nl || k.kind]));
  $('city-name').textContent = meta.city ? `— ${meta.city}` : '';
  document.title = `stad — veiligheidsdashboard${meta.city ? ` ${meta.city}` : ''}`;
  filters.setMeta(meta);
  forecast.setKinds(meta.kinds);
  roleNote();
}

// Says why the map is empty, or that it also shows sources still waiting for approval.
function roleNote() {
  const note = $('role-note');
  const s = session.current;
  let text = '';
  let kind = '';
  if (s && !session.may('data')) {
    kind = 'no-data';
    text = `Uw rol (${(s.roles || []).map(roleName).join(', ')}) geeft geen toegang tot meldingen: de kaart toont alleen de wijk- en buurtgrenzen.`;
  } else if (state.meta && !(state.meta.kinds || []).length) {
    kind = 'no-sources';
    text = 'Voor uw rol is (nog) geen bron met meldingen goedgekeurd: de kaart blijft leeg. De privacyfunctionaris legt in het bronnenregister vast welke rollen een bron mogen zien.';
  } else if (state.pendingSources > 0) {
    kind = 'pending';
    text = `U ziet ook de meldingen van ${state.pendingSources === 1 ? '1 bron die' : `${state.pendingSources} bronnen die`} nog op goedkeuring ${state.pendingSources === 1 ? 'wacht' : 'wachten'}; anderen zien die niet.`;
  }
  note.textContent = text;
  note.hidden = !text;
  note.dataset.kind = kind;
}

// The privacy officer and the admin see pending sources on the map too: count them.
async function loadPending() {
  if (!session.may('register') || !session.may('data')) return;
  try {
    const r = await api.register();
    state.pendingSources = (r.sources || []).filter((x) => x.status !== 'approved' && Number(x.events) > 0).length;
  } catch (_) {
    state.pendingSources = 0;
  }
  roleNote();
}

async function refresh() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  const { signal } = controller;
  $('filter-summary').textContent = filters.summary();
  setBusy(true);

  if (filters.isEmpty()) {
    map.setPoints([]);
    map.setHotCells(null);
    map.setDensity(null);
    trend.set([]);
    renderHotspots($('hotspot-rows'), []);
    setCount('count-total', 0);
    setCount('count-points', 0);
    setCount('count-hotspots', 0);
    $('cap-note').hidden = true;
    done();
    return;
  }

  const p = filters.params();
  const jobs = [
    api.events(p, 1, POINT_CAP, signal).then((fc) => {
      const n = map.setPoints(fc.features || []);
      const total = Number(fc.total ?? (fc.features || []).length);
      setCount('count-total', total);
      setCount('count-points', n);
      const note = $('cap-note');
      note.hidden = total <= n;
      note.textContent = total > n
        ? `De kaart toont ${formatCount(n)} van de ${formatCount(total)} meldingen. Kies een kortere periode of een wijk om alles te zien.`
        : '';
    }),
    api.trend(p, signal).then((t) => trend.set(t.weeks || [])),
    api.hotspots(p, signal).then((h) => {
      // A hotspot without events in the period says nothing to the meeting.
      const list = (h.hotspots || []).filter((x) => Number(x.count) > 0);
      setCount('count-hotspots', list.length);
      renderHotspots($('hotspot-rows'), list, {
        areaName: (c) => (c ? map.areaNames.get(c) || c : ''),
        onPick: (hs) => {
          map.flyTo(hs.centroid);
          $('kaart').scrollIntoView({ behavior: 'smooth', block: 'center' });
        },
      });
      map.setHotCells(h.cells);
    }),
  ];
  if (map.visible.density) jobs.push(loadDensity(p, signal));

  const results = await Promise.allSettled(jobs);
  if (signal.aborted) return;
  const failed = results.filter((r) => r.status === 'rejected' && !isAbort(r.reason));
  if (failed.length) {
    status.setConnection(`Niet alle gegevens konden worden geladen: ${failed[0].reason.message}`);
  } else if (state.connectionLost !== true) {
    status.setConnection(null);
  }
  done();

  function done() {
    if (signal.aborted) return;
    state.refreshes += 1;
    document.body.dataset.refreshes = String(state.refreshes);
    document.body.dataset.dataVersion = String(state.dataVersion);
    setBusy(false);
  }
}

function loadDensity(p, signal) {
  return api.kde(p, signal).then((fc) => map.setDensity(fc));
}

function onFilterChange(what) {
  if (what === 'area') map.zoomToArea(filters.area);
  refresh();
}

async function loadStatus() {
  try {
    status.update(await api.status());
  } catch (e) {
    if (!isAbort(e)) status.setConnection(`De status kon niet worden opgehaald: ${e.message}`);
  }
}

// A new data version: new kinds or a later newest date may shift the period presets.
async function onDataVersion(v) {
  if (!state.baseLoaded) {
    try {
      await loadBase();
    } catch (e) {
      return; // still not there; the next poll tries again
    }
    status.setConnection(null);
    loadStatus();
    refresh();
    return;
  }
  if (v === undefined || v === null || v === state.dataVersion) return;
  state.dataVersion = v;
  loadPending();
  try {
    applyMeta(await api.meta());
  } catch (e) {
    status.setConnection(`De gegevens konden niet worden bijgewerkt: ${e.message}`);
    return;
  }
  loadStatus();
  refresh();
  forecast.load(); // only while the forecast layer is on
}

// Live refresh: server-sent events, with polling of /api/health as the fall-back
// while the event stream is not open.
function startLive() {
  let pollTimer = null;
  const poll = async () => {
    try {
      const h = await api.health();
      if (state.connectionLost) { state.connectionLost = false; status.setConnection(null); }
      await onDataVersion(h.data_version);
    } catch (e) {
      state.connectionLost = true;
      status.setConnection('Geen verbinding met de server. Nieuwe gegevens verschijnen zodra die er weer is.');
    }
  };
  const startPolling = () => { if (!pollTimer) pollTimer = setInterval(poll, POLL_MS); };
  const stopPolling = () => { clearInterval(pollTimer); pollTimer = null; };

  if ('EventSource' in window) {
    const es = new EventSource('api/changes');
    es.addEventListener('data', (e) => {
      try { onDataVersion(JSON.parse(e.data).data_version); } catch (_) { poll(); }
    });
    es.addEventListener('open', () => { stopPolling(); poll(); });
    es.addEventListener('error', () => startPolling());
    document.body.dataset.live = 'sse';
  } else {
    document.body.dataset.live = 'poll';
  }
  startPolling(); // until the event stream reports open
  // Watch errors need not change the data version: ask for the status regularly.
  setInterval(loadStatus, POLL_MS);
}

function initControls() {
  map.legend = $('legend');
  const toggle = $('drawer-toggle');
  toggle.addEventListener('click', () => {
    const open = !document.body.classList.contains('app-drawer-open');
    document.body.classList.toggle('app-drawer-open', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    toggle.textContent = open ? 'Filters verbergen' : 'Filters';
    map.invalidate();
  });
  for (const [id, name] of [['layer-points', 'points'], ['layer-density', 'density'], ['layer-hot', 'hot'], ['layer-buurt', 'buurt']]) {
    const box = $(id);
    map.setVisible(name, box.checked);
    box.addEventListener('change', () => {
      map.setVisible(name, box.checked);
      if (name === 'density' && box.checked && !filters.isEmpty()) {
        loadDensity(filters.params()).catch((e) => status.setConnection(`Dichtheid niet beschikbaar: ${e.message}`));
      }
    });
  }
  $('print-button').addEventListener('click', () => printView({ filters, map }));
  $('layer-forecast').addEventListener('change', (e) => forecast.setOn(e.target.checked));
  window.addEventListener('resize', () => map.invalidate());
}

// Loads what the page is built on: meta, the wijk and buurt polygons. Retried by the
// live refresh when the server was not there yet.
async function loadBase() {
  const [meta, wijk, buurt] = await Promise.all([api.meta(), api.areas('wijk'), api.areas('buurt')]);
  state.dataVersion = meta.data_version;
  applyMeta(meta);
  map.setTiles(meta.tiles, meta.tiles_attribution);
  map.setAreas(wijk, buurt);
  filters.setWijken(wijk.features || []);
  map.zoomToArea('', false);
  state.baseLoaded = true;
}

// A role that reads no data (public): the polygons and a note, no data requests.
async function startWithoutData() {
  for (const id of ['filters', 'print-button', 'drawer-toggle']) $(id).hidden = true;
  document.body.classList.add('app-no-data');
  try {
    const [wijk, buurt] = await Promise.all([api.areas('wijk'), api.areas('buurt')]);
    map.setAreas(wijk, buurt);
    map.zoomToArea('', false);
  } catch (e) {
    status.setConnection(`De kaart kon niet worden geladen: ${e.message}`);
  }
  for (const id of ['count-total', 'count-points', 'count-hotspots']) setCount(id, 0);
  roleNote();
  state.refreshes += 1;
  document.body.dataset.refreshes = String(state.refreshes);
  setBusy(false);
}

// #/register, #/audit and #/campagnes for who may see them; anything else is the map.
let registerView = null;
let auditView = null;
let campaignView = null;
function route() {
  let view = (window.location.hash || '').replace(/^#\/?/, '');
  if (view === 'register' && !session.may('register')) view = '';
  if (view === 'audit' && !session.may('audit')) view = '';
  if (view === 'campagnes' && !session.may('campaigns')) view = '';
  if (view !== 'register' && view !== 'audit' && view !== 'campagnes') view = 'map';
  $('map-view').hidden = view !== 'map';
  $('map-actions').hidden = view !== 'map';
  $('register-view').hidden = view !== 'register';
  $('audit-view').hidden = view !== 'audit';
  $('campaign-view').hidden = view !== 'campagnes';
  document.body.dataset.view = view;
  for (const [id, v] of [['nav-map', 'map'], ['nav-campaigns', 'campagnes'], ['nav-register', 'register'], ['nav-audit', 'audit']]) {
    if (v === view) $(id).setAttribute('aria-current', 'page'); else $(id).removeAttribute('aria-current');
  }
  if (view === 'map') map.invalidate();
  if (view === 'register') {
    if (!registerView) {
      registerView = new RegisterView({
        canApprove: () => session.may('approve'),
        onChanged: () => loadPending(),
      });
    }
    registerView.load();
  }
  if (view === 'audit') {
    if (!auditView) auditView = new AuditView();
    auditView.load();
  }
  if (view === 'campagnes') {
    if (!campaignView) campaignView = new CampaignView();
    campaignView.shown();
  }
}

async function start() {
  await session.ensure();
  $('login-view').hidden = true;
  $('app').hidden = false;
  status.showWatch = session.may('register');
  window.addEventListener('hashchange', route);
  route();
  initControls();
  map.invalidate();
  if (!session.may('data')) {
    await startWithoutData();
    return;
  }
  loadPending();
  try {
    await loadBase();
  } catch (e) {
    status.setConnection(`De dashboardgegevens konden niet worden geladen: ${e.message}`);
    setBusy(false);
    startLive();
    return;
  }
  loadStatus();
  await refresh();
  startLive();
}

start();
