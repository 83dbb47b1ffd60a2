// Logging in and out. The session itself is an HttpOnly cookie the page never sees;
// what the page knows is /api/session: the user, the roles, the CSRF token for POSTs
// and what the roles may do ({data, register, approve, audit, users, campaigns, ...}).
//
//   const s = await session.ensure();   // shows the login form until someone logs in
//   session.logout();                   // ends the session, back to the login form

import { api, setCsrf, clearCache, setUnauthorizedHandler, ApiError } from './api.js';
import { el } from './util.js';

const $ = (id) => document.getElementById(id);

// Dutch names of the default roles (docs/privacy.md); other roles show as they are.
export const ROLE_NL = {
  admin: 'beheerder',
  privacy_officer: 'privacyfunctionaris',
  safety_analyst: 'veiligheidsanalist',
  enforcement: 'handhaving',
  enforcer: 'handhaver',
  social_policy: 'sociaal domein',
  source_holder: 'bronhouder',
  public: 'publiek',
};
export const roleName = (r) => ROLE_NL[r] || r;

export class Session {
  constructor() {
    this.current = null;      // the /api/session answer, or null
    this.waiting = [];        // resolvers of ensure() while the form is shown
    this.retryTimer = null;
    this.form = $('login-form');
    this.error = $('login-error');
    this.button = $('login-submit');
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    $('logout-button').addEventListener('click', () => this.logout());
    // Any 401 of a data route: the session ended under us (idle timeout, a lock, a
    // logout in another tab). Show the form; the page reloads after the next login.
    setUnauthorizedHandler(() => {
      if (!this.current) return;
      this.current = null;
      this.expired = true;
      this.showLogin('Uw sessie is verlopen. Log opnieuw in.', 'warning');
    });
  }

  may(what) {
    return Boolean(this.current && this.current.may && this.current.may[what]);
  }

  // Resolves with the session once someone is logged in.
  async ensure() {
    try {
      this.set(await api.session());
      return this.current;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) {
        this.showLogin(`De server is niet bereikbaar (${e.message}). Probeer het later opnieuw.`, 'error');
      } else {
        this.showLogin();
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  set(s) {
    this.current = s;
    setCsrf(s && s.csrf);
    document.body.dataset.auth = s ? 'in' : 'out';
    if (s) this.renderUser();
  }

  showLogin(message, type = 'error') {
    document.body.dataset.auth = 'out';
    $('login-view').hidden = false;
    $('app').hidden = true;
    this.setError(message, type);
    const name = $('login-name');
    (name.value ? $('login-password') : name).focus();
  }

  setError(message, type = 'error') {
    if (!message) {
      this.error.replaceChildren();
      this.error.hidden = true;
      return;
    }
    this.error.hidden = false;
    this.error.replaceChildren(el('div', { class: `utrecht-alert utrecht-alert--${type}`, 'data-testid': `login-${type}` },
      el('div', { class: 'utrecht-alert__content' }, el('div', { class: 'utrecht-alert__message' }, message))));
  }

  async submit() {
    const name = $('login-name').value.trim();
    const password = $('login-password').value;
    if (!name || !password) {
      this.setError('Vul uw gebruikersnaam en wachtwoord in.');
      return;
    }
    this.button.disabled = true;
    this.form.setAttribute('aria-busy', 'true');
    let s;
    try {
      s = await api.login(name, password);
    } catch (e) {
      this.form.removeAttribute('aria-busy');
      $('login-password').value = '';
      if (e instanceof ApiError && e.status === 429) {
        this.backOff(e.retryAfter || 1);
        return;
      }
      this.button.disabled = false;
      if (e instanceof ApiError && e.status === 401) {
        this.setError('Onbekende gebruikersnaam of verkeerd wachtwoord, of het account is geblokkeerd.');
      } else if (e instanceof ApiError) {
        this.setError(`Inloggen is niet gelukt: ${e.message}`);
      } else {
        this.setError('Geen verbinding met de server. Probeer het opnieuw.');
      }
      $('login-password').focus();
      return;
    }
    this.form.removeAttribute('aria-busy');
    this.button.disabled = false;
    $('login-password').value = '';
    clearCache();
    if (this.expired) {
      // The page holds data of the old session: start clean.
      window.location.reload();
      return;
    }
    this.set(s);
    this.setError(null);
    $('login-view').hidden = true;
    $('app').hidden = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve(s);
  }

  // 429: the server checks no password until the wait is over; count it down.
  backOff(seconds) {
    clearInterval(this.retryTimer);
    let left = Math.ceil(seconds);
    const tell = () => this.setError(
      `Te veel mislukte pogingen. Wacht ${left} ${left === 1 ? 'seconde' : 'seconden'} voordat u het opnieuw probeert.`, 'warning');
    this.button.disabled = true;
    this.error.dataset.retryAfter = String(left);
    tell();
    this.retryTimer = setInterval(() => {
      left -= 1;
      if (left > 0) { tell(); return; }
      clearInterval(this.retryTimer);
      delete this.error.dataset.retryAfter;
      this.button.disabled = false;
      this.setError('U kunt het opnieuw proberen.', 'info');
    }, 1000);
  }

  async logout() {
    const button = $('logout-button');
    button.disabled = true;
    try {
      await api.logout();
    } catch (e) {
      // A session that had already ended is logged out too; anything else: say so.
      if (!(e instanceof ApiError && e.status === 401)) {
        button.disabled = false;
        window.alert(`Uitloggen is niet gelukt: ${e.message}`);
        return;
      }
    }
    setCsrf('');
    clearCache();
    // Nothing of the session may stay in the page: load it afresh.
    window.location.replace(window.location.pathname);
  }

  renderUser() {
    const s = this.current;
    $('user-name').textContent = s.user || '';
    $('user-roles').textContent = (s.roles || []).map(roleName).join(', ');
    $('user-menu').dataset.roles = (s.roles || []).join(',');
    for (const [id, what] of [['nav-campaigns', 'campaigns'], ['nav-register', 'register'], ['nav-audit', 'audit']]) {
      if ($(id)) $(id).hidden = !this.may(what); // pages other than the dashboard may lack a link
    }
  }
}
