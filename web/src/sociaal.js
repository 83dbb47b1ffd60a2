// The social-domain page (sociaal.html): outcomes of interventions per profile of
// households, for role social_policy (every approved social source, linkage between
// them) and for a source holder (its own source only). Everything shown comes from
// /api/social/... after the server's disclosure control: a suppressed cell arrives as
// its labels and a flag, and is shown as "onderdrukt", never as a number or zero.
// docs/social-dashboard.md describes the page; docs/api.md the routes.

import '@utrecht/component-library-css/dist/index.css';
import '@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css';
import './style.css';
import './sociaal.css';

import { getJSON, ApiError } from './api.js';
import { Session } from './session.js';
import { el, formatCount, formatShare, formatRatio } from './util.js';

const $ = (id) => document.getElementById(id);
const MAX_BY = 4;

const yesNo = (v) => (v === 'yes' ? 'ja' : v === 'no' ? 'nee' : v);
const varLabel = (name) => (name.startsWith('in_') ? `bekend bij ${name.slice(3)}` : name === 'period' ? 'maand' : name);
const SUPPRESSED = {
  primary: 'onderdrukt: minder huishoudens dan de drempel',
  secondary: 'onderdrukt: zou anders uit de totalen terug te rekenen zijn',
};

class SocialPage {
  constructor(session) {
    this.session = session;
    this.own = !session.may('social');
    this.meta = null;
    this.refreshes = 0;
    this.abort = null;
  }

  route(name) {
    return this.own ? `api/social/holder${name ? `/${name}` : ''}` : `api/social/${name || 'analyse'}`;
  }

  async start() {
    this.meta = await getJSON(this.route('meta'), null, { cache: false });
    if (!this.meta.sources.length) {
      this.refuse(this.own
        ? 'Het bronnenregister noemt u niet als houder van een bron in het sociaal domein.'
        : 'Er is geen bron in het sociaal domein voor uw rol goedgekeurd.');
      return;
    }
    const base = $('social-base');
    base.replaceChildren(...this.meta.sources.map((s) => el('option', { value: s.name }, s.name)));
    const pref = this.meta.sources.find((s) => s.name === 'leerplicht');
    base.value = (pref || this.meta.sources[0]).name;
    base.addEventListener('change', () => { this.fillSource(); this.run(); });
    $('social-outcome').addEventListener('change', () => this.fillSuccess());
    $('social-form').addEventListener('submit', (e) => { e.preventDefault(); this.run(); });
    this.fillSource();
    $('social-view').hidden = false;
    await this.run();
  }

  refuse(message) {
    const box = $('social-refused');
    box.hidden = false;
    box.replaceChildren(el('div', { class: 'utrecht-alert utrecht-alert--warning' },
      el('div', { class: 'utrecht-alert__content' }, el('div', { class: 'utrecht-alert__message' }, message))));
    document.body.dataset.state = 'refused';
  }

  source() {
    return this.meta.sources.find((s) => s.name === $('social-base').value);
  }

  // Outcome, profile variables and filters offered for the chosen base source.
  fillSource() {
    const s = this.source();
    const listed = s.columns.filter((c) => c.levels && c.levels.length);
    const outcome = $('social-outcome');
    outcome.replaceChildren(...listed.map((c) => el('option', { value: c.name }, c.name)));
    const prefer = ['verzuim', 'resultaat'].find((n) => listed.some((c) => c.name === n));
    if (prefer) outcome.value = prefer;
    this.fillSuccess();

    const vars = [
      ...s.linked.map((o) => ({ name: `in_${o}`, levels: ['yes', 'no'] })),
      ...listed.filter((c) => c.levels.length <= 20),
    ];
    const defaults = new Set(['wijk', ...s.linked.slice(0, 1).map((o) => `in_${o}`)]);
    $('social-by').replaceChildren(...vars.map((v) => el('label', { class: 'utrecht-form-label social-check' },
      el('input', { type: 'checkbox', name: 'by', value: v.name, checked: defaults.has(v.name), 'data-testid': `by-${v.name}` }),
      ` ${varLabel(v.name)}`)));
    $('social-where').replaceChildren(...vars.map((v) => el('div', { class: 'social-where' },
      el('label', { class: 'utrecht-form-label', for: `where-${v.name}` }, varLabel(v.name)),
      el('select', { id: `where-${v.name}`, name: v.name, class: 'utrecht-select utrecht-select--html-select', 'data-testid': `where-${v.name}` },
        el('option', { value: '' }, 'alle'), ...v.levels.map((l) => el('option', { value: l }, yesNo(l)))))));
    $('social-from').value = s.first;
    $('social-to').value = s.last;
    $('social-from').min = $('social-to').min = s.first;
    $('social-from').max = $('social-to').max = s.last;
  }

  fillSuccess() {
    const col = this.source().columns.find((c) => c.name === $('social-outcome').value);
    const success = $('social-success');
    success.replaceChildren(...(col ? col.levels : []).map((l) => el('option', { value: l }, l)));
    for (const l of ['ja', 'verbeterd']) if (col && col.levels.includes(l)) success.value = l;
  }

  params() {
    const by = [...document.querySelectorAll('#social-by input:checked')].map((i) => i.value).slice(0, MAX_BY);
    const where = [...document.querySelectorAll('#social-where select')].filter((s) => s.value)
      .map((s) => `${s.name}=${s.value}`);
    const p = {
      outcome: `${$('social-outcome').value}=${$('social-success').value}`,
      by: by.join(','),
      where: where.join(','),
      from: $('social-from').value,
      to: $('social-to').value,
    };
    p[this.own ? 'source' : 'base'] = $('social-base').value;
    return p;
  }

  async run() {
    if (this.abort) this.abort.abort();
    this.abort = new AbortController();
    document.body.dataset.state = 'loading';
    $('social-error').hidden = true;
    let r;
    try {
      r = await getJSON(this.route(), this.params(), { cache: false, signal: this.abort.signal });
    } catch (e) {
      if (e.name === 'AbortError') return;
      $('social-error').hidden = false;
      $('social-error').replaceChildren(el('div', { class: 'utrecht-alert utrecht-alert--error' },
        el('div', { class: 'utrecht-alert__content' }, el('div', { class: 'utrecht-alert__message' },
          e instanceof ApiError ? e.message : 'Geen verbinding met de server.'))));
      document.body.dataset.state = 'error';
      return;
    }
    this.render(r);
    this.refreshes += 1;
    document.body.dataset.refreshes = String(this.refreshes);
    document.body.dataset.state = 'ready';
  }

  render(r) {
    $('social-summary').textContent = `Bron ${r.base}: aandeel "${r.outcome} = ${r.success}"`
      + `${r.by.length ? ` per ${r.by.map(varLabel).join(' en ')}` : ''}.`;
    $('social-note').textContent = `Cellen met minder dan ${r.threshold} huishoudens zijn onderdrukt, en zo nodig een tweede cel `
      + 'in dezelfde rij of kolom, zodat ze niet uit de totalen terug te rekenen zijn. 95%-intervallen volgens Wilson.';
    const th = (t) => el('th', { class: 'utrecht-table__header-cell', scope: 'col' }, t);
    $('social-head').replaceChildren(el('tr', { class: 'utrecht-table__row' },
      ...r.by.map((b) => th(varLabel(b))), th('rijen'), th('huishoudens'), th('succes'), th('percentage'), th('95%-interval')));
    const rows = r.cells.map((c) => this.cellRow(c.values.map(yesNo), c, r.by.length));
    rows.push(this.cellRow(r.by.length ? ['totaal', ...Array(r.by.length - 1).fill('')] : [], r.total, r.by.length, true));
    $('social-body').replaceChildren(...rows);
    this.renderModel(r.model);
    this.renderPeriods(r.periods);
  }

  cellRow(labels, c, nBy, total = false) {
    const td = (t, attrs = {}) => el('td', { class: 'utrecht-table__cell', ...attrs }, t);
    const cls = `utrecht-table__row${total ? ' social-total' : ''}${c.suppressed ? ' social-suppressed' : ''}`;
    const head = labels.map((l) => td(l));
    if (c.suppressed) {
      return el('tr', { class: cls, 'data-testid': total ? 'total-suppressed' : 'cell-suppressed', 'data-reason': c.reason },
        ...head, el('td', { class: 'utrecht-table__cell social-onderdrukt', colspan: 5, title: SUPPRESSED[c.reason] || '' },
          'onderdrukt', el('span', { class: 'social-reason' }, ` (${c.reason === 'primary' ? 'te weinig huishoudens' : 'secundair'})`)));
    }
    return el('tr', { class: cls, 'data-testid': total ? 'total' : 'cell' }, ...head,
      td(formatCount(c.n)), td(formatCount(c.households)), td(formatCount(c.successes)),
      td(formatShare(c.rate), { 'data-testid': 'rate' }), td(`${formatShare(c.lo)} – ${formatShare(c.hi)}`));
  }

  renderModel(m) {
    const td = (t) => el('td', { class: 'utrecht-table__cell' }, t);
    const num = (x) => (x === null || x === undefined ? '–' : (x >= 0 ? '+' : '') + x.toFixed(3).replace('.', ','));
    if (!m.ok) {
      $('social-coefs').replaceChildren(el('tr', { class: 'utrecht-table__row' },
        el('td', { class: 'utrecht-table__cell', colspan: 4 }, 'Het model convergeerde niet (een niveau met alleen successen of alleen mislukkingen?).')));
      return;
    }
    $('social-coefs').replaceChildren(...m.coefficients.map((c) => {
      const name = c.name.replace(/^in_([^=]+)=yes \(vs no\)/, 'bekend bij $1');
      if (c.suppressed) {
        return el('tr', { class: 'utrecht-table__row social-suppressed', 'data-testid': 'coef-suppressed' },
          td(name), el('td', { class: 'utrecht-table__cell social-onderdrukt', colspan: 3 }, 'onderdrukt'));
      }
      return el('tr', { class: 'utrecht-table__row', 'data-testid': 'coef' }, td(name), td(num(c.beta)),
        td(`${num(c.lo)} … ${num(c.hi)}`), td(formatRatio(c.odds_ratio)));
    }));
  }

  renderPeriods(periods) {
    const td = (t) => el('td', { class: 'utrecht-table__cell' }, t);
    const pts = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1).replace('.', ',')} pp`;
    $('social-periods').replaceChildren(...periods.map((p) => {
      if (p.suppressed) {
        return el('tr', { class: 'utrecht-table__row social-suppressed', 'data-testid': 'period-suppressed' },
          td(p.period), el('td', { class: 'utrecht-table__cell social-onderdrukt', colspan: 4 }, 'onderdrukt'));
      }
      return el('tr', { class: 'utrecht-table__row', 'data-testid': 'period' }, td(p.period), td(formatCount(p.n)),
        td(formatShare(p.rate)), td(p.previous ? pts(p.diff) : '–'),
        td(p.previous ? `${pts(p.lo)} … ${pts(p.hi)}` : '–'));
    }));
  }
}

async function main() {
  const session = new Session();
  await session.ensure();
  $('login-view').hidden = true;
  $('app').hidden = false;
  if (!session.may('social') && !session.may('social_own')) {
    const page = new SocialPage(session);
    page.refuse('Uw rollen geven geen toegang tot het sociaal domein. Vraag de privacyfunctionaris of beheerder om de rol "sociaal domein" of "bronhouder".');
    return;
  }
  try {
    await new SocialPage(session).start();
  } catch (e) {
    const page = new SocialPage(session);
    page.refuse(e instanceof ApiError && e.status === 403
      ? 'Uw rollen geven geen toegang tot het sociaal domein.'
      : `Het sociaal domein is niet beschikbaar: ${e.message}`);
  }
}

main();
