// The handheld's outbox: results recorded on a street wait in localStorage until the
// server has them, so a bad connection loses nothing. Every result carries an
// idempotency key made when it was recorded; the server stores a key once and answers
// a resend with "already recorded", so retrying after a lost answer never counts a
// result twice.
//
//   const box = new Outbox((body) => postJSON('api/bikes/record', body), onChange);
//   box.start();                       // syncs when online, and retries
//   box.add({street: 9370, action: 'label', labels: 4, key: newKey(), at: localTime()});

const STORE = 'stad.handheld.outbox';
const REJECTED = 'stad.handheld.rejected';
const RETRY_MS = 10000;

// 128 random bits as hex; crypto.getRandomValues also works on plain http (a phone on
// the city's network), unlike crypto.randomUUID.
export function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return `hh-${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

// Local wall-clock time as the server keeps it: YYYY-MM-DDTHH:MM:SS, no zone.
export function localTime(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function read(name) {
  try {
    const v = JSON.parse(localStorage.getItem(name) || '[]');
    return Array.isArray(v) ? v : [];
  } catch (_) {
    return [];
  }
}

const write = (name, items) => localStorage.setItem(name, JSON.stringify(items));

export class Outbox {
  // send(body) resolves with the server's answer or throws (err.status for HTTP errors);
  // onChange({event, item, answer, error}) is told about every change.
  constructor(send, onChange) {
    this.send = send;
    this.onChange = onChange || (() => {});
    this.running = null;
    this.timer = null;
    this.paused = false; // while logged out
  }

  items() {
    return read(STORE);
  }

  rejected() {
    return read(REJECTED);
  }

  add(body) {
    const items = read(STORE);
    items.push({ key: body.key, body, queued: Date.now() });
    write(STORE, items);
    this.onChange({ event: 'queued', item: items[items.length - 1] });
    return this.sync();
  }

  // Removes by key, re-reading the store: another tab may have synced meanwhile.
  remove(key) {
    write(STORE, read(STORE).filter((x) => x.key !== key));
  }

  start() {
    window.addEventListener('online', () => this.sync());
    window.addEventListener('offline', () => this.onChange({ event: 'offline' }));
    this.timer = setInterval(() => this.sync(), RETRY_MS);
    return this.sync();
  }

  sync() {
    if (!this.running) this.running = this.run().finally(() => { this.running = null; });
    return this.running;
  }

  async run() {
    if (this.paused) return;
    if (!navigator.onLine) {
      this.onChange({ event: 'offline' });
      return;
    }
    for (;;) {
      const item = read(STORE)[0];
      if (!item) return;
      let answer;
      try {
        answer = await this.send(item.body);
      } catch (e) {
        if (e && (e.status === 400 || e.status === 404)) {
          // The server will never take it (a street no longer loaded, ...): keep it
          // aside for the coordinator instead of blocking the queue.
          const bad = read(REJECTED);
          bad.push({ ...item, error: e.message });
          write(REJECTED, bad);
          this.remove(item.key);
          this.onChange({ event: 'rejected', item, error: e });
          continue;
        }
        // No connection, a lost answer, a server error or an ended session: later.
        this.onChange({ event: 'retry', item, error: e });
        return;
      }
      this.remove(item.key);
      this.onChange({ event: 'synced', item, answer });
    }
  }
}
