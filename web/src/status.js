// Status panel (from /api/status): the watched folder, the last file it saw, the last
// batches, and every file that could not be read since the page was opened (the API
// reports only the last one, so errors are remembered here until dismissed).

import { el, td, row, formatCount, formatDateTime } from './util.js';

const STATUS_NL = {
  ok: 'ingelezen', loaded: 'ingelezen', done: 'ingelezen', complete: 'ingelezen', completed: 'ingelezen', accepted: 'ingelezen',
  replaced: 'vervangen', failed: 'mislukt', error: 'mislukt', running: 'bezig', partial: 'deels ingelezen',
};

function baseName(path) {
  return String(path || '').split(/[\\/]/).pop();
}

export class StatusPanel {
  constructor() {
    this.errorsBox = document.getElementById('status-errors');
    this.summary = document.getElementById('status-summary');
    this.rows = document.getElementById('batch-rows');
    this.errors = new Map(); // key -> {file, message, time}
    this.dismissed = new Set(); // keys the user closed
    this.connection = null;  // message about the connection to the server, or null
  }

  setConnection(message) {
    this.connection = message;
    this.renderErrors();
  }

  update(st) {
    const watch = st && st.watch;
    const last = watch && watch.last;
    // The watcher's recent reports (or at least its last one): remember every failure.
    const reports = (watch && Array.isArray(watch.reports) ? watch.reports : []).concat(last ? [last] : []);
    for (const r of reports) {
      if (!r || r.ok !== false) continue;
      const key = `${r.file}\u0000${r.message}\u0000${r.time || ''}`;
      if (!this.errors.has(key) && !this.dismissed.has(key)) this.errors.set(key, { file: r.file, message: r.message || 'onbekende fout', time: r.time });
    }
    // Batches that failed outright count as errors too.
    for (const b of (st && st.batches) || []) {
      const s = String(b.status || '').toLowerCase();
      if (s === 'failed' || s === 'error') {
        const key = `batch ${b.id}`;
        if (!this.errors.has(key) && !this.dismissed.has(key)) this.errors.set(key, { file: b.file, message: 'het bestand kon niet worden ingelezen' });
      }
    }
    this.renderErrors();

    const parts = [];
    if (watch && watch.dir) {
      parts.push(`Map die wordt bewaakt: ${watch.dir} (${formatCount(watch.files || 0)} ${Number(watch.files) === 1 ? 'bestand' : 'bestanden'}).`);
      if (last && last.file) parts.push(`Laatste bestand: ${baseName(last.file)} — ${last.ok === false ? 'niet ingelezen' : (last.message || 'ingelezen')}.`);
    } else if (this.showWatch !== false) {
      // Only the register's keepers are told about the watched folder (it names
      // files of every source); for the others watch is null.
      parts.push('Er wordt geen map bewaakt.');
    }
    if (st && st.data_version !== undefined) parts.push(`Gegevensversie ${st.data_version}.`);
    this.summary.textContent = parts.join(' ');
    this.summary.dataset.version = String(st && st.data_version);

    const batches = ((st && st.batches) || []).slice(0, 10);
    if (!batches.length) {
      this.rows.replaceChildren(row([td('Nog geen bestanden ingelezen.', { attrs: { colspan: 5 } })]));
    } else {
      this.rows.replaceChildren(...batches.map((b) => row([
        td(el('span', { title: b.file || '', class: 'app-file' }, baseName(b.file) || b.source || '')),
        td(formatCount(b.accepted), { numeric: true }),
        td(formatCount(b.rejected), { numeric: true }),
        td(statusBadge(b)),
        td(formatDateTime(b.started), { cls: 'app-col-optional' }),
      ], { 'data-testid': 'batch-row' })));
    }
  }

  renderErrors() {
    const items = [];
    if (this.connection) {
      items.push(alert('warning', 'Verbinding', this.connection, null));
    }
    for (const [key, e] of this.errors) {
      const when = e.time ? ` (${formatDateTime(e.time)})` : '';
      items.push(alert('error', `Bestand niet ingelezen: ${baseName(e.file)}${when}`, e.message, () => {
        this.errors.delete(key);
        this.dismissed.add(key);
        this.renderErrors();
      }));
    }
    this.errorsBox.replaceChildren(...items);
    this.errorsBox.dataset.count = String(this.errors.size);
    const flag = document.getElementById('status-flag');
    const n = this.errors.size;
    flag.hidden = n === 0;
    flag.textContent = n === 1 ? '· 1 bestand niet ingelezen' : `· ${n} bestanden niet ingelezen`;
  }
}

function statusBadge(b) {
  const s = String(b.status || '').toLowerCase();
  const label = STATUS_NL[s] || b.status || '';
  let kind = 'success';
  if (s === 'failed' || s === 'error') kind = 'danger';
  else if (Number(b.rejected) > 0) kind = 'warning';
  else if (s === 'running') kind = 'neutral';
  return el('span', { class: `utrecht-status-badge utrecht-status-badge--${kind}` },
    Number(b.rejected) > 0 && kind !== 'danger' ? `${label}, met afkeur` : label);
}

function alert(type, title, message, onClose) {
  return el('div', { class: `utrecht-alert utrecht-alert--${type} app-alert`, role: type === 'error' ? 'alert' : 'status', 'data-testid': `status-${type}` },
    el('div', { class: 'utrecht-alert__content' },
      el('div', { class: 'utrecht-alert__message' },
        el('strong', {}, title), el('br'), message)),
    onClose ? closeButton(onClose) : null);
}

function closeButton(onClose) {
  const b = el('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle app-alert__close', 'aria-label': 'Melding sluiten' }, '×');
  b.addEventListener('click', onClose);
  return b;
}
