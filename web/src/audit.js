// The audit log for the privacy officer (GET /api/audit, newest first): filters for
// user, action and a start date; pages of PAGE rows. The route has a limit but no
// offset, so page n asks for n * PAGE + 1 rows and shows the last PAGE of them (the
// extra row tells whether there is a next page); the log is read at most 10000 rows
// deep.

import { api } from './api.js';
import { el, td, row, formatCount, formatDateTime } from './util.js';

const $ = (id) => document.getElementById(id);
export const PAGE = 50;
const MAX_ROWS = 10000;

const ACTION_NL = {
  login: 'ingelogd',
  'login.failed': 'inloggen mislukt',
  'login.throttled': 'inloggen afgeremd',
  logout: 'uitgelogd',
  read: 'gegevens gelezen',
  'read.areas': 'gebieden gelezen',
  'register.read': 'register gelezen',
  'audit.read': 'auditlog gelezen',
  'users.read': 'accounts gelezen',
  denied: 'geweigerd',
};
const actionName = (a) => ACTION_NL[a] || a;

export class AuditView {
  constructor() {
    this.rows = $('audit-rows');
    this.page = 1;
    this.more = false;
    this.controller = null;
    $('audit-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.page = 1;
      this.load();
    });
    $('audit-prev').addEventListener('click', () => { if (this.page > 1) { this.page -= 1; this.load(); } });
    $('audit-next').addEventListener('click', () => { if (this.more) { this.page += 1; this.load(); } });
  }

  filters() {
    const since = $('audit-since').value;
    return {
      actor: $('audit-actor').value.trim(),
      action: $('audit-action').value,
      since,
    };
  }

  async load() {
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    const limit = Math.min(this.page * PAGE + 1, MAX_ROWS);
    const table = this.rows.closest('table');
    table.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api.audit({ ...this.filters(), limit }, controller.signal);
    } catch (e) {
      if (controller.signal.aborted) return;
      table.removeAttribute('aria-busy');
      $('audit-message').textContent = `Het auditlog kon niet worden geladen: ${e.message}`;
      $('audit-message').hidden = false;
      return;
    }
    if (controller.signal.aborted) return;
    $('audit-message').hidden = true;
    const all = data.rows || [];
    const start = (this.page - 1) * PAGE;
    const shown = all.slice(start, start + PAGE);
    this.more = all.length > start + PAGE && limit < MAX_ROWS;
    if (!shown.length && this.page > 1) {
      // The filter changed under us: back to the first page.
      this.page = 1;
      this.load();
      return;
    }
    this.rows.replaceChildren(...(shown.length ? shown.map((r) => row([
      td(formatDateTime(r.time)),
      td(r.actor || ''),
      td(r.interface || '', { cls: 'app-col-optional' }),
      td(actionName(r.action), { attrs: { title: r.action || '' } }),
      td(el('span', { class: 'app-file' }, [r.route, r.query].filter(Boolean).join('?'))),
      td(el('span', { class: 'app-file' }, r.sources || ''), { cls: 'app-col-optional' }),
      td(r.rows === null || r.rows === undefined ? '–' : formatCount(r.rows), { numeric: true }),
      td(r.outcome || ''),
    ], { 'data-testid': 'audit-row', 'data-action': r.action || '', 'data-actor': r.actor || '' }))
      : [row([td('Geen regels bij deze filters.', { attrs: { colspan: 8 } })])]));
    const from = shown.length ? start + 1 : 0;
    $('audit-page').textContent = shown.length
      ? `Regels ${formatCount(from)}–${formatCount(start + shown.length)} (pagina ${this.page}, nieuwste eerst)`
      : 'Geen regels';
    $('audit-page').dataset.page = String(this.page);
    $('audit-prev').disabled = this.page <= 1;
    $('audit-next').disabled = !this.more;
    table.removeAttribute('aria-busy');
    table.dataset.loads = String(Number(table.dataset.loads || 0) + 1);
  }
}
