// The source register for the privacy officer (GET /api/register): every source with
// holder, purpose (doelbinding), legal basis, retention, sensitivity, the roles that
// may read it and its status; approve, revoke and edit through the POST routes (the
// CSRF header is added by api.js). Changing purpose or roles of an approved source
// sends it back to pending: the server decides that, the page shows the new status.

import { api } from './api.js';
import { el, td, row, formatCount, formatDateTime } from './util.js';
import { roleName, ROLE_NL } from './session.js';

const $ = (id) => document.getElementById(id);

const STATUS = {
  approved: ['goedgekeurd', 'success'],
  pending: ['wacht op goedkeuring', 'warning'],
};

const splitRoles = (s) => String(s || '').split(/[\s,]+/).filter(Boolean);

export class RegisterView {
  constructor({ canApprove, onChanged }) {
    this.canApprove = canApprove;   // () => boolean
    this.onChanged = onChanged;     // called after a change: who sees what may differ
    this.rows = $('register-rows');
    this.message = $('register-message');
    this.dialog = $('register-edit');
    this.form = $('register-form');
    this.sources = [];
    this.editing = null;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
    $('register-cancel').addEventListener('click', () => this.closeEdit());
  }

  async load() {
    this.rows.closest('table').setAttribute('aria-busy', 'true');
    try {
      const r = await api.register();
      this.sources = r.sources || [];
      this.render();
    } catch (e) {
      this.say(`Het register kon niet worden geladen: ${e.message}`, 'error');
    } finally {
      this.rows.closest('table').removeAttribute('aria-busy');
    }
  }

  say(message, type = 'success') {
    this.message.replaceChildren(message
      ? el('div', { class: `utrecht-alert utrecht-alert--${type}`, role: type === 'error' ? 'alert' : 'status', 'data-testid': `register-${type}` },
        el('div', { class: 'utrecht-alert__content' }, el('div', { class: 'utrecht-alert__message' }, message)))
      : '');
  }

  render() {
    const pending = this.sources.filter((s) => s.status !== 'approved').length;
    $('register-summary').textContent = this.sources.length
      ? `${formatCount(this.sources.length)} ${this.sources.length === 1 ? 'bron' : 'bronnen'}, waarvan ${formatCount(pending)} wacht${pending === 1 ? '' : 'en'} op goedkeuring. Een bron die wacht, is voor niemand anders zichtbaar dan voor de privacyfunctionaris en de beheerder.`
      : 'Er zijn nog geen bronnen: een bron ontstaat bij het eerste bestand dat wordt ingelezen.';
    if (!this.sources.length) {
      this.rows.replaceChildren(row([td('Geen bronnen.', { attrs: { colspan: 10 } })]));
      return;
    }
    this.rows.replaceChildren(...this.sources.map((s) => {
      const [label, kind] = STATUS[s.status] || [s.status || '', 'neutral'];
      const approved = s.status === 'approved';
      const actions = [];
      if (this.canApprove()) {
        const toggle = el('button', {
          type: 'button',
          class: `utrecht-button ${approved ? 'utrecht-button--secondary-action' : 'utrecht-button--primary-action'}`,
          'data-testid': approved ? 'register-revoke' : 'register-approve',
        }, approved ? 'Intrekken' : 'Goedkeuren');
        toggle.addEventListener('click', () => this.approve(s, !approved, toggle));
        const edit = el('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle', 'data-testid': 'register-edit' }, 'Bewerken');
        edit.addEventListener('click', () => this.openEdit(s));
        actions.push(toggle, edit);
      }
      const by = approved && s.approved_by
        ? el('span', { class: 'app-place-area' }, `door ${s.approved_by}${s.approved_at ? `, ${formatDateTime(s.approved_at)}` : ''}`)
        : null;
      return row([
        td(el('strong', {}, s.name)),
        td(s.holder || missing()),
        td(s.purpose || missing(), { cls: 'app-register-purpose' }),
        td(s.legal_basis || missing()),
        td(s.retention_days ? `${formatCount(s.retention_days)} dagen` : missing(), { numeric: true }),
        td(s.sensitivity || missing()),
        td(splitRoles(s.roles).length ? splitRoles(s.roles).map(roleName).join(', ') : missing()),
        td([el('span', { class: `utrecht-status-badge utrecht-status-badge--${kind}`, 'data-testid': 'register-status' }, label), by]),
        td(formatCount(s.events), { numeric: true }),
        td(el('div', { class: 'app-register-actions' }, ...actions)),
      ], { 'data-testid': 'register-row', 'data-source': s.name, 'data-status': s.status });
    }));
  }

  async approve(source, approve, button) {
    button.disabled = true;
    try {
      await api.registerApprove(source.name, approve);
      this.say(approve ? `Bron ${source.name} is goedgekeurd.` : `Bron ${source.name} wacht weer op goedkeuring en is niet meer zichtbaar voor de rollen.`);
    } catch (e) {
      button.disabled = false;
      this.say(`${approve ? 'Goedkeuren' : 'Intrekken'} van ${source.name} is niet gelukt: ${e.message}`, 'error');
      return;
    }
    await this.load();
    this.onChanged();
  }

  openEdit(s) {
    this.editing = s;
    $('register-edit-title').textContent = `Bron ${s.name} bewerken`;
    $('reg-holder').value = s.holder || '';
    $('reg-purpose').value = s.purpose || '';
    $('reg-legal').value = s.legal_basis || '';
    $('reg-retention').value = s.retention_days || '';
    $('reg-sensitivity').value = s.sensitivity || '';
    // The default roles, and any other role a source already names.
    const known = new Set(Object.keys(ROLE_NL));
    for (const src of this.sources) for (const r of splitRoles(src.roles)) known.add(r);
    const has = new Set(splitRoles(s.roles));
    $('reg-roles').replaceChildren(...[...known].map((r, i) => {
      const id = `reg-role-${i}`;
      const box = el('input', { type: 'checkbox', id, value: r, class: 'utrecht-checkbox utrecht-checkbox--html-input', 'data-testid': `reg-role-${r}` });
      box.checked = has.has(r);
      return el('div', { class: 'utrecht-form-field utrecht-form-field--checkbox' }, box,
        el('label', { class: 'utrecht-form-label utrecht-form-label--checkbox', for: id }, `${roleName(r)} (${r})`));
    }));
    $('reg-warning').hidden = s.status !== 'approved';
    this.dialog.hidden = false;
    $('reg-holder').focus();
  }

  closeEdit() {
    this.dialog.hidden = true;
    this.editing = null;
  }

  async save() {
    const s = this.editing;
    if (!s) return;
    const retention = $('reg-retention').value.trim();
    const days = retention === '' ? null : Number(retention);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 36525)) {
      $('reg-retention').setCustomValidity('Een bewaartermijn is 1 tot 36525 dagen.');
      $('reg-retention').reportValidity();
      return;
    }
    $('reg-retention').setCustomValidity('');
    const roles = [...$('reg-roles').querySelectorAll('input:checked')].map((b) => b.value);
    const fields = {
      source: s.name,
      holder: $('reg-holder').value.trim(),
      purpose: $('reg-purpose').value.trim(),
      legal_basis: $('reg-legal').value.trim(),
      sensitivity: $('reg-sensitivity').value.trim(),
      roles: roles.join(','),
    };
    if (days !== null) fields.retention_days = days;
    // Send only what changed: an unchanged purpose or role list keeps the approval.
    for (const [k, v] of Object.entries({ holder: s.holder, purpose: s.purpose, legal_basis: s.legal_basis, sensitivity: s.sensitivity })) {
      if ((v || '') === fields[k]) delete fields[k];
    }
    if (splitRoles(s.roles).sort().join(',') === [...roles].sort().join(',')) delete fields.roles;
    if (fields.retention_days === s.retention_days) delete fields.retention_days;
    if (Object.keys(fields).length === 1) {
      this.closeEdit();
      this.say('Niets gewijzigd.', 'info');
      return;
    }
    const submit = $('register-save');
    submit.disabled = true;
    try {
      await api.registerSet(fields);
    } catch (e) {
      this.say(`Opslaan van ${s.name} is niet gelukt: ${e.message}`, 'error');
      return;
    } finally {
      submit.disabled = false;
    }
    this.closeEdit();
    this.say(`Bron ${s.name} is opgeslagen.`);
    await this.load();
    this.onChanged();
  }
}

function missing() {
  return el('span', { class: 'app-missing' }, 'ontbreekt');
}
