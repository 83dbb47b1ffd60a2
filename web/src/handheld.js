// The enforcers' handheld page (handheld.html): log in, today's route on a map and as
// an ordered list, and per stop the labels placed or the bikes removed and a remark.
// Results go through the outbox (outbox.js): kept in localStorage with an idempotency
// key and sent when there is a connection, so nothing is lost or counted twice.
//
// Which route: the plan of a day is the same for the whole team (same data, same
// team size and hours), and the coordinator hands out route numbers 1..N. The page
// remembers the number, team size and hours on the device (docs/handheld.md).

import 'leaflet/dist/leaflet.css';
import '@utrecht/component-library-css/dist/index.css';
import '@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css';
import './handheld.css';

import L from './leaflet-global.js';
import { api, getJSON, postJSON, setCsrf, clearCache, setUnauthorizedHandler, ApiError } from './api.js';
import { el } from './util.js';
import { kindName, streetLabel, depotMarker, themeItems, fillThemes } from './routewords.js';
import { Outbox, newKey, localTime } from './outbox.js';

const $ = (id) => document.getElementById(id);
const SETTINGS = 'stad.handheld.settings';
const LAST_PLAN = 'stad.handheld.plan';


function loadSettings() {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS) || '{}');
    const theme = typeof s.theme === 'string' && /^[a-z0-9_-]{1,31}$/.test(s.theme) ? s.theme : 'bikes';
    return { route: Number(s.route) || 1, enforcers: Number(s.enforcers) || 2, hours: Number(s.hours) || 6, theme };
  } catch (_) {
    return { route: 1, enforcers: 2, hours: 6, theme: 'bikes' };
  }
}

const minutes = (m) => `${Math.floor(m / 60)}:${String(Math.round(m % 60)).padStart(2, '0')}`;

class Handheld {
  constructor() {
    this.settings = loadSettings();
    this.plan = null;
    this.map = null;
    this.layer = null;
    // `date` (the plan's day) stays on the device: it ties a queued result to its stop.
    this.box = new Outbox(({ date, ...body }) => postJSON('api/bikes/record', body), (c) => this.onOutbox(c));
    setUnauthorizedHandler(() => this.showLogin('Uw sessie is verlopen. Log opnieuw in.'));
    $('hh-login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.login();
    });
    $('hh-logout').addEventListener('click', () => this.logout());
    for (const id of ['hh-theme', 'hh-route', 'hh-enforcers', 'hh-hours']) $(id).addEventListener('change', () => this.changeSettings());
    window.addEventListener('online', () => {
      this.showOnline();
      // opened without a connection: log in to the session now, which also sends the queue
      if (this.offlineStart) this.start();
    });
    window.addEventListener('offline', () => this.showOnline());
  }

  async start() {
    this.showOnline();
    try {
      const s = await api.session();
      this.offlineStart = false;
      this.enter(s);
    } catch (e) {
      if (e instanceof ApiError) return this.showLogin(e.status === 401 ? '' : `De server is niet bereikbaar (${e.message}).`);
      // no connection at all: the route last fetched on this device, if any, and the
      // results queued until the connection (and the session) are back
      if (!this.startOffline()) this.showLogin(`De server is niet bereikbaar (${e.message}).`);
    }
  }

  startOffline() {
    let last = null;
    try {
      last = JSON.parse(localStorage.getItem(LAST_PLAN) || 'null');
    } catch (_) { /* none */ }
    if (!last || JSON.stringify(last.settings) !== JSON.stringify(this.settings)) return false;
    this.offlineStart = true;
    this.box.paused = true;
    document.body.dataset.auth = 'offline';
    $('hh-login').hidden = true;
    $('hh-app').hidden = false;
    this.ensureMap();
    this.message('Geen verbinding: de laatst opgehaalde route staat hieronder. Resultaten worden bewaard en verstuurd zodra er weer verbinding is.');
    this.show(last.plan);
    return true;
  }

  showLogin(message) {
    this.box.paused = true;
    document.body.dataset.auth = 'out';
    $('hh-app').hidden = true;
    $('hh-login').hidden = false;
    const err = $('hh-login-error');
    err.hidden = !message;
    err.textContent = message || '';
  }

  async login() {
    const name = $('hh-login-name').value.trim();
    const password = $('hh-login-password').value;
    if (!name || !password) return this.showLogin('Vul uw gebruikersnaam en wachtwoord in.');
    $('hh-login-submit').disabled = true;
    try {
      const s = await api.login(name, password);
      $('hh-login-password').value = '';
      clearCache();
      this.enter(s);
    } catch (e) {
      this.showLogin(e instanceof ApiError && e.status === 401
        ? 'Onbekende gebruikersnaam of verkeerd wachtwoord.'
        : `Inloggen is niet gelukt: ${e.message}`);
    } finally {
      $('hh-login-submit').disabled = false;
    }
  }

  async logout() {
    try {
      await api.logout();
    } catch (_) { /* the session may be gone already */ }
    setCsrf('');
    this.showLogin('');
  }

  enter(s) {
    setCsrf(s.csrf);
    document.body.dataset.auth = 'in';
    $('hh-login').hidden = true;
    $('hh-app').hidden = false;
    this.ensureMap();
    this.box.paused = false;
    if (!this.started) {
      this.started = true;
      this.box.start();
    } else {
      this.box.sync();
    }
    this.refresh();
  }

  changeSettings() {
    const enforcers = Math.max(1, Math.min(20, Math.round(Number($('hh-enforcers').value) || 2)));
    const hours = Math.max(0.25, Math.min(12, Number($('hh-hours').value) || 6));
    const route = Math.min(enforcers, Number($('hh-route').value) || 1);
    const theme = $('hh-theme').value || this.settings.theme;
    this.settings = { route, enforcers, hours, theme };
    localStorage.setItem(SETTINGS, JSON.stringify(this.settings));
    this.refresh();
  }

  ensureMap() {
    if (!this.map) {
      this.map = L.map('hh-map', { zoomControl: true, attributionControl: false, minZoom: 10, maxZoom: 19 });
      this.map.setView([53.219, 6.566], 14);
    }
    this.map.invalidateSize();
  }

  params(route) {
    return { enforcers: this.settings.enforcers, hours: this.settings.hours, route, theme: this.settings.theme };
  }

  // The team's routes (sizes) for the chooser, then this device's route.
  async refresh() {
    document.body.dataset.state = 'loading';
    $('hh-enforcers').value = this.settings.enforcers;
    $('hh-hours').value = this.settings.hours;
    try {
      const team = await getJSON('api/bikes/plan', this.params(undefined), { cache: false });
      fillThemes($('hh-theme'), team.themes, this.settings.theme, $('hh-theme-label'));
      this.fillChooser(team.routes);
      const plan = await getJSON('api/bikes/plan', this.params(this.settings.route), { cache: false });
      localStorage.setItem(LAST_PLAN, JSON.stringify({ settings: this.settings, plan }));
      this.message('');
      this.show(plan);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      // Offline: the route last fetched with these settings, if any.
      let last = null;
      try {
        last = JSON.parse(localStorage.getItem(LAST_PLAN) || 'null');
      } catch (_) { /* none */ }
      const same = last && JSON.stringify(last.settings) === JSON.stringify(this.settings);
      this.message(e instanceof ApiError ? `De route kon niet worden opgehaald: ${e.message}`
        : 'Geen verbinding: de laatst opgehaalde route staat hieronder.');
      if (same) this.show(last.plan);
      else document.body.dataset.state = 'error';
    }
  }

  fillChooser(routes) {
    const sel = $('hh-route');
    sel.replaceChildren(...(routes || []).map((r) => el('option', { value: r.route },
      `${r.route} · ${r.n_stops} stops · ${minutes(r.minutes)} u`)));
    sel.value = String(this.settings.route);
  }

  message(text) {
    $('hh-message').hidden = !text;
    $('hh-message').textContent = text;
  }

  showOnline() {
    const on = navigator.onLine;
    $('hh-online').textContent = on ? 'online' : 'offline';
    $('hh-online').dataset.online = String(on);
    const n = this.box ? this.box.items().length : 0;
    $('hh-queue').textContent = String(n);
    $('hh-queue').dataset.value = String(n);
  }

  // The state of a stop: synced (the server has a result of today), queued (here,
  // not yet sent) or open.
  stopState(stop) {
    const theme = this.plan.theme || 'bikes';
    const q = this.box.items().find((x) => x.body.street === stop.street && x.body.date === this.plan.date
      && (x.body.theme || 'bikes') === theme);
    if (q) return { state: 'queued', body: q.body };
    if (stop.done) return { state: 'synced', done: stop.done };
    return { state: 'open' };
  }

  show(plan) {
    this.plan = plan;
    $('hh-date').textContent = `${plan.date.slice(8, 10)}-${plan.date.slice(5, 7)}-${plan.date.slice(0, 4)}`;
    const route = (plan.routes || [])[0];
    const stops = route ? route.stops || [] : [];
    // how many labels to take along: enough for the route with 90% certainty
    const take = route && route.labels_to_take > 0 ? `, neem ${route.labels_to_take} labels mee` : '';
    $('hh-summary').textContent = route
      ? `route ${route.route} van ${plan.enforcers}: ${stops.length} stops, ${minutes(route.minutes)} u${take}`
      : 'geen route';
    document.body.dataset.route = route ? String(route.route) : '';
    this.drawMap(plan, stops);
    $('hh-stops').replaceChildren(...stops.map((s) => this.stopItem(s)));
    this.showOnline();
    document.body.dataset.state = 'ready';
    document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
  }

  drawMap(plan, stops) {
    if (this.layer) this.layer.remove();
    this.layer = L.featureGroup().addTo(this.map);
    // No tiles and no area polygons: the route's streets, the way along the streets
    // from the depot and back, and numbered stops are what an enforcer needs, and
    // they work without internet.
    L.geoJSON(plan, {
      filter: (f) => f.properties && f.properties.type === 'path',
      style: { color: '#555', weight: 2, dashArray: '4 6' },
    }).addTo(this.layer);
    L.geoJSON(plan, {
      filter: (f) => f.properties && f.properties.type === 'stop',
      style: (f) => ({ color: f.properties.action === 'followup' ? '#9b3d00' : '#1a4f8b', weight: 6, opacity: 0.8 }),
    }).addTo(this.layer);
    for (const s of stops) {
      const st = this.stopState(s).state;
      const cls = `hh-marker${s.action === 'followup' ? ' hh-marker--followup' : ''}${st !== 'open' ? ' hh-marker--done' : ''}`;
      L.marker([s.lat, s.lon], {
        icon: L.divIcon({ className: '', html: `<div class="${cls}" style="width:22px;height:22px">${s.order}</div>`, iconSize: [22, 22] }),
        title: `stop ${s.order}`,
      }).on('click', () => {
        const li = document.querySelector(`[data-testid="hh-stop"][data-order="${s.order}"]`);
        if (li) li.scrollIntoView({ behavior: 'smooth', block: 'center' });
      }).addTo(this.layer);
    }
    const depot = depotMarker(plan, 'hh-depot', 'hh-depot', 20);
    if (depot) depot.addTo(this.layer);
    const b = this.layer.getBounds();
    if (b.isValid()) this.map.fitBounds(b, { padding: [16, 16], animate: false });
  }

  stopItem(s) {
    const label = s.action === 'label';
    const kind = kindName(s.kind);
    const li = el('li', { class: 'hh-stop', 'data-testid': 'hh-stop', 'data-street': s.street, 'data-order': s.order, 'data-action': s.action },
      el('div', { class: 'hh-stop__head' },
        el('span', { class: 'hh-stop__nr' }, s.order),
        el('div', {},
          el('strong', {}, `${label ? 'Labelen' : 'Nacontrole'} · ${streetLabel(s) || kind}`),
          el('div', { class: 'utrecht-paragraph--small' },
            `${s.name ? `${kind}, ` : ''}${Math.round(s.length_m)} m · nr ${s.street} · ± ${minutes(s.arrive_min)} · ${label ? `verwacht ${s.expected.toFixed(1)} ${themeItems(this.plan.theme)}` : `${Math.round(s.expected)} labels uit`}`))));
    const num = (name, text) => el('label', {}, text, el('input', {
      type: 'number', min: 0, max: 10000, value: 0, inputmode: 'numeric', name,
      class: 'utrecht-textbox utrecht-textbox--html-input hh-num', 'data-testid': `hh-${name}`,
    }));
    const form = el('form', { class: 'hh-stop__form', novalidate: true },
      label ? num('labels', 'Labels geplaatst') : [num('removed', 'Fietsen verwijderd'), num('returned', 'Labels weg (eigenaar)')],
      el('label', { class: 'hh-remark' }, 'Opmerking (geen namen of kentekens)',
        el('input', { type: 'text', name: 'remark', maxlength: 500, class: 'utrecht-textbox utrecht-textbox--html-input', 'data-testid': 'hh-remark' })),
      el('button', { type: 'submit', class: 'utrecht-button utrecht-button--primary-action', 'data-testid': 'hh-save' }, 'Opslaan'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.record(s, form);
    });
    const state = el('div', { class: 'hh-stop__state', 'data-testid': 'hh-stop-state', role: 'status' });
    li.append(form, state);
    this.paintStop(li, s);
    return li;
  }

  paintStop(li, s) {
    const st = this.stopState(s);
    li.dataset.done = st.state;
    const form = li.querySelector('form');
    const state = li.querySelector('[data-testid="hh-stop-state"]');
    // One result per stop: a second tap must not become a second visit.
    for (const x of form.elements) x.disabled = st.state !== 'open';
    const c = st.body || st.done || {};
    const what = s.action === 'label' ? `${c.labels || 0} labels` : `${c.removed || 0} verwijderd, ${c.returned || 0} labels weg`;
    state.textContent = st.state === 'synced' ? `Opgeslagen: ${what}`
      : st.state === 'queued' ? `In de wachtrij (wordt verstuurd zodra er verbinding is): ${what}` : '';
  }

  repaint() {
    if (!this.plan) return;
    const stops = ((this.plan.routes || [])[0] || {}).stops || [];
    for (const s of stops) {
      const li = document.querySelector(`[data-testid="hh-stop"][data-street="${s.street}"]`);
      if (li) this.paintStop(li, s);
    }
    this.showOnline();
  }

  record(s, form) {
    const n = (name) => Math.max(0, Math.min(10000, Math.round(Number(form.elements[name] ? form.elements[name].value : 0) || 0)));
    const remark = form.elements.remark.value.trim();
    const body = { street: s.street, key: newKey(), at: localTime(), date: this.plan.date, theme: this.plan.theme || 'bikes' };
    if (s.action === 'label') {
      body.labels = n('labels');
      body.action = body.labels > 0 ? 'label' : 'visit';
    } else {
      body.removed = n('removed');
      body.returned = n('returned');
      body.action = body.removed > 0 || body.returned === 0 ? 'remove' : 'return';
    }
    if (remark) body.remark = remark;
    this.box.add(body);
    this.repaint();
  }

  onOutbox(c) {
    const msg = $('hh-sync-msg');
    if (c.event === 'synced') {
      msg.textContent = c.answer && c.answer.status === 'already recorded' ? '· al ontvangen' : '· verstuurd';
      // The server's state of the stop replaces the queued one on the next load.
      const plan = this.plan || {};
      const stop = (plan.theme || 'bikes') !== (c.item.body.theme || 'bikes') ? null
        : ((plan.routes || [])[0] || { stops: [] }).stops.find((x) => x.street === c.item.body.street);
      if (stop) stop.done = { labels: c.item.body.labels || 0, removed: c.item.body.removed || 0, returned: c.item.body.returned || 0, visits: 1 };
    } else if (c.event === 'retry' || c.event === 'offline') {
      msg.textContent = '· wacht op verbinding';
    } else if (c.event === 'rejected') {
      msg.textContent = `· niet aangenomen: ${c.error.message}`;
    }
    this.repaint();
  }
}

new Handheld().start();

// The page opens without a connection too (public/handheld-sw.js), where the browser
// allows service workers (https, or this machine); the scope is this page only.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('handheld-sw.js', { scope: './handheld' }).catch(() => { /* stays online-only */ });
}
