// The counter tablet (issue 15), without a framework or a build step.
// body[data-kiosk] says which page the server gave: "pair" (no credential),
// "revoked" (wipe everything kept, store nothing more) or "shell" (the
// survey screen). On the shell every rating is put in an IndexedDB queue
// with its submission id before anything is sent, then sent in batches; the
// server stores each id once, so resending after a lost answer is harmless.
(() => {
  const mode = document.body.dataset.kiosk;
  const DB = 'hl-kiosk';
  const STORE = 'queue';
  const CACHE_PREFIX = 'hl-kiosk-';
  const ABANDON_MS = 60_000;
  const SYNC_EVERY_MS = 30_000;
  const BATCH = 20;
  const BATCH_CHARS = 40_000;
  const FINAL = new Set(['created', 'replayed', 'conflict', 'invalid']);
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const T = {
    vi: {
      loading: 'Đang tải…',
      errorTitle: 'Chưa tải được phiếu khảo sát',
      errorText: 'Máy đang thử kết nối lại. Ông/Bà vui lòng báo cán bộ tại quầy.',
      idleTitle: 'Mời Ông/Bà đánh giá mức độ hài lòng',
      idleText: 'Ông/Bà vui lòng cho biết cảm nhận về lần giao dịch vừa rồi. Chỉ mất vài giây.',
      start: 'Bắt đầu đánh giá',
      privacy: 'Phiếu khảo sát không thu thập thông tin cá nhân.',
      chooseArea: 'Ông/Bà vui lòng chọn lĩnh vực đã giao dịch',
      more: 'Góp ý thêm',
      send: 'Gửi đánh giá',
      back: 'Quay lại',
      chosen: (label) => `Ông/Bà đã chọn: ${label}`,
      pickOne: 'Ông/Bà vui lòng chọn một mục.',
      thanks: 'Cảm ơn Ông/Bà đã dành thời gian đánh giá!',
      thanksNote: 'Ý kiến của Ông/Bà giúp cơ quan phục vụ người dân tốt hơn.',
      done: 'Xong',
      pending: (n) => `Đang chờ gửi: ${n}`,
      other: 'English',
      otherLang: 'en',
    },
    en: {
      loading: 'Loading…',
      errorTitle: 'The survey could not be loaded',
      errorText: 'The tablet is trying to reconnect. Please tell the staff at the desk.',
      idleTitle: 'Please rate our service',
      idleText: 'Tell us how your transaction went. It takes a few seconds.',
      start: 'Start',
      privacy: 'This survey collects no personal data.',
      chooseArea: 'Please choose the service area of your transaction',
      more: 'Add a comment',
      send: 'Send',
      back: 'Back',
      chosen: (label) => `You chose: ${label}`,
      pickOne: 'Please choose one.',
      thanks: 'Thank you for your feedback!',
      thanksNote: 'Your opinion helps us serve people better.',
      done: 'Done',
      pending: (n) => `Waiting to send: ${n}`,
      other: 'Tiếng Việt',
      otherLang: 'vi',
    },
  };

  // ---- what the tablet keeps: the queue (IndexedDB), wiped on revocation ----
  let idb = null;
  let memory = new Map(); // where IndexedDB is unavailable: this page only
  let stopped = false;

  function openDb() {
    if (idb) return Promise.resolve(idb);
    if (stopped || !self.indexedDB) return Promise.resolve(null);
    return new Promise((resolve) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'submissionId' });
      req.onsuccess = () => {
        idb = req.result;
        idb.onversionchange = () => idb.close();
        resolve(idb);
      };
      req.onerror = () => resolve(null);
    });
  }

  async function store(write, fn) {
    const db = await openDb();
    if (!db) return fn(null);
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, write ? 'readwrite' : 'readonly');
      const result = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }

  const queue = {
    add: (item) =>
      stopped ? Promise.resolve() : store(true, (s) => (s ? s.put(item) : void memory.set(item.submissionId, item))),
    all: async () => {
      const items = (await store(false, (s) => (s ? s.getAll() : null))) ?? [...memory.values()];
      return items.sort((a, b) => (a.answeredAt < b.answeredAt ? -1 : 1));
    },
    remove: (ids) => store(true, (s) => ids.forEach((id) => (s ? s.delete(id) : memory.delete(id)))),
  };

  /** Revoked: the queue, the kept shell and survey, and the worker go; nothing is stored after. */
  async function wipe() {
    stopped = true;
    memory = new Map();
    if (idb) idb.close();
    idb = null;
    if (self.indexedDB) {
      await new Promise((r) => {
        const req = indexedDB.deleteDatabase(DB);
        req.onsuccess = req.onerror = req.onblocked = () => r();
      });
    }
    try {
      for (const key of await caches.keys()) if (key.startsWith(CACHE_PREFIX)) await caches.delete(key);
    } catch (_) {}
    try {
      for (const reg of await navigator.serviceWorker.getRegistrations())
        if (new URL(reg.scope).pathname.startsWith('/kiosk')) await reg.unregister();
    } catch (_) {}
  }

  // ---- the pairing form ----
  function pairing() {
    const form = $('k-pair');
    const input = $('k-code');
    const msg = $('k-pair-msg');
    const say = (text, ok) => {
      msg.textContent = text;
      msg.className = ok ? 'ok' : text ? 'alert' : '';
    };
    // The code from the QR (?code=) is in the field; the address forgets it.
    if (location.search) history.replaceState(null, '', location.pathname);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const code = input.value.replace(/[\s\-–—]/g, '').toUpperCase();
      if (code.length !== 8) {
        input.setAttribute('aria-invalid', 'true');
        return say('Vui lòng nhập mã ghép gồm 8 ký tự (chữ và số), ví dụ ABCD-EFGH.');
      }
      input.removeAttribute('aria-invalid');
      const button = form.querySelector('button');
      button.disabled = true;
      say('');
      try {
        const res = await fetch('/kiosk/api/pair', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ code }),
          credentials: 'same-origin',
        });
        const body = await res.json().catch(() => ({}));
        if (res.ok) {
          say(`Đã ghép với ${body.desk?.name ?? ''} – ${body.unit?.name ?? ''}. Đang mở màn hình đánh giá…`, true);
          setTimeout(() => location.replace('/kiosk'), 800);
          return;
        }
        input.setAttribute('aria-invalid', 'true');
        if (res.status === 422)
          say('Mã ghép không đúng hoặc đã hết hạn. Vui lòng lấy mã mới tại trang quầy rồi nhập lại.');
        else if (res.status === 429) say('Đã nhập sai nhiều lần. Vui lòng đợi vài phút rồi thử lại.');
        else say(body.message?.vi ?? 'Chưa ghép được máy. Vui lòng thử lại.');
      } catch (_) {
        say('Không kết nối được máy chủ. Vui lòng kiểm tra mạng rồi thử lại.');
      }
      button.disabled = false;
    });
  }

  if (mode === 'revoked') {
    void wipe();
    pairing();
    return;
  }
  if (mode === 'pair') {
    pairing();
    return;
  }

  // ---- the survey screen ----
  const S = {
    lang: 'vi',
    screen: 'loading',
    cfg: null,
    area: null,
    invitationId: null,
    rating: null,
    factor: null,
    detail: null, // 'low': which factor and a comment; 'more': a comment only
    after: null,
    pending: null,
  };
  let idleTimer = 0;
  let abandonTimer = 0;
  let syncing = false;
  let retryTimer = 0;
  let backoff = 0;

  const t = () => T[S.lang];
  const text = (local) => (local ? (local[S.lang] ?? local.vi ?? '') : '');
  const el = (tag, cls, content) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  };

  /** The config as kioskSurvey() gives it: the desk, its areas, and the counter survey's three items. */
  function readConfig(c) {
    const survey = c.survey ?? c;
    const questions = survey.questions ?? [];
    return {
      raw: c,
      deskName: c.desk?.name ?? c.deskName ?? '',
      unitName: c.unit?.name ?? c.unitName ?? '',
      areas: c.serviceAreas ?? c.desk?.serviceAreas ?? [],
      idleSeconds: Number(c.idleSeconds ?? c.desk?.idleSeconds) || 10,
      followUpAtMost: Number(c.followUpAtMost) || 3,
      overall: questions.find((q) => q.type === 'scale'),
      factor: questions.find((q) => q.type === 'choice'),
      comment: questions.find((q) => q.type === 'text'),
    };
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---- drawing ----
  function show(screen) {
    S.screen = screen;
    for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== `s-${screen}`;
    render();
    $(`s-${screen}`).querySelector('h1')?.focus();
    clearTimeout(abandonTimer);
    clearTimeout(idleTimer);
    if (screen === 'area' || screen === 'overall' || screen === 'detail') touched();
    if (screen === 'thanks') idleTimer = setTimeout(toIdle, S.cfg.idleSeconds * 1000);
  }

  function render() {
    const w = t();
    document.documentElement.lang = S.lang;
    for (const node of document.querySelectorAll('[data-t]')) node.textContent = w[node.dataset.t];
    const lang = $('k-lang');
    lang.textContent = w.other;
    lang.lang = w.otherLang;
    lang.hidden = !S.cfg;
    if (!S.cfg) return;
    const c = S.cfg;
    $('k-unit').textContent = c.unitName;
    $('k-desk').textContent = c.deskName;
    document.title = `${w.idleTitle} – ${c.deskName}`;

    $('k-areas').replaceChildren(
      ...c.areas.map((a) => {
        const b = el('button', 'choice', S.lang === 'en' ? a.nameEn : a.nameVi);
        b.type = 'button';
        b.dataset.area = a.code;
        b.setAttribute('aria-pressed', String(S.area === a.code));
        return b;
      }),
    );
    if (c.overall) {
      $('k-overall-q').textContent = text(c.overall.text);
      const values = (c.overall.values ?? [1, 2, 3, 4, 5]).filter((v) => typeof v === 'number');
      $('k-faces').replaceChildren(
        ...values.map((v) => {
          const b = el('button', 'face');
          b.type = 'button';
          b.dataset.value = String(v);
          b.setAttribute('aria-pressed', String(S.rating === v));
          const face = el('i', `f${v}`);
          face.setAttribute('aria-hidden', 'true');
          b.append(face, el('span', '', text(c.overall.labels?.[String(v)])));
          return b;
        }),
      );
    }
    $('k-happy').hidden = !(S.rating > c.followUpAtMost);
    const label = S.rating ? text(c.overall?.labels?.[String(S.rating)]) : '';
    $('k-detail-title').textContent = S.detail === 'low' ? w.chosen(label) : w.more;
    $('k-factor-box').hidden = !(S.detail === 'low' && c.factor);
    $('k-detail-msg').textContent = '';
    if (c.factor) {
      $('k-factor-q').textContent = text(c.factor.text);
      $('k-factors').replaceChildren(
        ...c.factor.options.map((o) => {
          const b = el('button', 'choice', text(o.text));
          b.type = 'button';
          b.dataset.factor = o.code;
          b.setAttribute('aria-pressed', String(S.factor === o.code));
          return b;
        }),
      );
    }
    const comment = $('k-comment');
    $('k-comment-q').hidden = comment.hidden = !c.comment;
    if (c.comment) {
      $('k-comment-q').textContent = text(c.comment.text);
      comment.maxLength = c.comment.maxLength ?? 1000;
    }
  }

  let queued = 0;
  function renderPending(n = queued) {
    queued = n;
    const mark = $('k-pending');
    mark.hidden = !n;
    mark.textContent = n ? t().pending(n) : '';
  }

  // ---- the flow ----
  function toIdle() {
    S.area = S.invitationId = S.rating = S.factor = S.detail = null;
    S.lang = 'vi';
    $('k-comment').value = '';
    show('idle');
    // An invitation that came mid-survey is for the next person: now.
    const pending = S.pending;
    S.pending = null;
    if (pending && Date.parse(pending.expiresAt) > Date.now()) invited(pending);
  }

  function begin(area, invitationId) {
    const areas = S.cfg.areas;
    S.rating = S.factor = S.detail = null;
    S.invitationId = invitationId ?? null;
    $('k-comment').value = '';
    S.area = areas.some((a) => a.code === area) ? area : areas.length === 1 ? areas[0].code : null;
    show(S.area || areas.length === 0 ? 'overall' : 'area');
  }

  function invited(inv) {
    if (S.screen === 'overall' || S.screen === 'detail') {
      // The clerk invited the citizen who has already begun: this rating is the one.
      const served = S.cfg.areas.some((a) => a.code === inv.serviceArea);
      if (S.invitationId == null && served && (!S.area || S.area === inv.serviceArea)) {
        S.invitationId = inv.id;
        S.area = inv.serviceArea;
      } else S.pending = inv;
      return;
    }
    if (S.screen === 'loading' || S.screen === 'error') return;
    begin(inv.serviceArea, inv.id);
  }

  function rate(value) {
    S.rating = value;
    S.factor = null;
    if (value <= S.cfg.followUpAtMost) {
      S.detail = 'low';
      show('detail');
    } else {
      render();
      $('k-send-now').focus();
    }
  }

  async function send() {
    const c = S.cfg;
    if (S.detail === 'low' && c.factor?.required && !S.factor) {
      $('k-detail-msg').textContent = t().pickOne;
      $('k-factors').querySelector('button')?.focus();
      return;
    }
    const answers = { [c.overall.key]: S.rating };
    if (S.detail === 'low' && S.factor && c.factor) answers[c.factor.key] = S.factor;
    const comment = $('k-comment').value.trim();
    if (S.detail && comment && c.comment) answers[c.comment.key] = comment;
    const item = {
      submissionId: uuid(),
      answers,
      answeredAt: new Date().toISOString(),
      locale: S.lang,
    };
    if (S.area) item.serviceArea = S.area;
    if (S.invitationId != null) item.invitationId = String(S.invitationId);
    try {
      await queue.add(item);
    } catch (_) {
      memory.set(item.submissionId, item);
    }
    show('thanks');
    void sync();
  }

  // 60 s without a touch mid-survey: the answers so far are dropped.
  function touched() {
    clearTimeout(abandonTimer);
    if (S.screen === 'area' || S.screen === 'overall' || S.screen === 'detail') {
      abandonTimer = setTimeout(toIdle, ABANDON_MS);
    }
  }

  // ---- sending ----
  async function sync() {
    if (syncing || stopped) return;
    syncing = true;
    clearTimeout(retryTimer);
    try {
      for (;;) {
        const items = await queue.all();
        renderPending(items.length);
        if (!items.length) {
          backoff = 0;
          return;
        }
        const batch = [];
        let size = 0;
        for (const item of items) {
          size += JSON.stringify(item).length;
          if (batch.length && (batch.length >= BATCH || size > BATCH_CHARS)) break;
          batch.push(item);
        }
        let res;
        try {
          res = await fetch(`/kiosk/api/answers?queued=${items.length}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ items: batch }),
            credentials: 'same-origin',
            cache: 'no-store',
          });
        } catch (_) {
          return retry();
        }
        if (res.status === 401) return lost();
        if (!res.ok) return retry();
        const body = await res.json().catch(() => null);
        const done = (body?.results ?? []).filter((r) => FINAL.has(r.status)).map((r) => r.submissionId);
        await queue.remove(done);
        backoff = 0;
        if (!done.length) return retry();
      }
    } catch (_) {
      retry();
    } finally {
      syncing = false;
      if (!stopped) renderPending((await queue.all().catch(() => [])).length);
    }
  }

  function retry() {
    backoff = Math.min(backoff ? backoff * 2 : 2000, 60_000);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, backoff);
  }

  /** The credential was refused (revoked, or gone): wipe and let the server say which. */
  async function lost() {
    if (stopped) return;
    await wipe();
    location.replace('/kiosk');
  }

  // ---- invitations: a long poll while the tablet lives ----
  // Its pause after a failure ends when the network returns: an invitation
  // sent just then must still wake the tablet within 2 seconds.
  let wakePoll = () => {};
  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakePoll = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function poll() {
    while (!stopped) {
      const started = Date.now();
      try {
        // Each poll is a contact: the desk page sees the tablet alive and its queue.
        const after = S.after == null ? '' : `&after=${encodeURIComponent(S.after)}`;
        const res = await fetch(`/kiosk/api/invitations/next?queued=${queued}${after}`, {
          credentials: 'same-origin',
          cache: 'no-store',
        });
        if (res.status === 401) return lost();
        if (res.status === 200) {
          const inv = (await res.json()).invitation;
          if (inv) {
            S.after = String(inv.id);
            if (!inv.expiresAt || Date.parse(inv.expiresAt) > Date.now()) invited(inv);
          }
          continue;
        }
        // A 204 came at once (no long poll here): do not spin.
        if (res.status === 204 && Date.now() - started > 1000) continue;
        await pause(res.status === 204 ? 1000 : 5000);
      } catch (_) {
        await pause(3000);
      }
    }
  }

  async function loadConfig() {
    for (let wait = 2000; !stopped; wait = Math.min(wait * 2, 30_000)) {
      try {
        const n = (await queue.all()).length;
        const res = await fetch(`/kiosk/api/config?queued=${n}`, { credentials: 'same-origin', cache: 'no-store' });
        if (res.status === 401) return lost();
        if (res.ok) return readConfig(await res.json());
      } catch (_) {}
      if (S.screen === 'loading') show('error');
      await sleep(wait);
    }
  }

  // ---- events ----
  document.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b || !S.cfg) return;
    if (b.id === 'k-lang') {
      S.lang = S.lang === 'vi' ? 'en' : 'vi';
      render();
      renderPending();
    } else if (b.id === 'k-start') begin(null, null);
    else if (b.dataset.area) {
      S.area = b.dataset.area;
      show('overall');
    } else if (b.dataset.value) rate(Number(b.dataset.value));
    else if (b.dataset.factor) {
      S.factor = S.factor === b.dataset.factor ? null : b.dataset.factor;
      for (const f of document.querySelectorAll('[data-factor]'))
        f.setAttribute('aria-pressed', String(f.dataset.factor === S.factor));
    } else if (b.id === 'k-more') {
      S.detail = 'more';
      show('detail');
    } else if (b.id === 'k-back') {
      S.detail = null;
      S.rating = null;
      show('overall');
    } else if (b.id === 'k-send' || b.id === 'k-send-now') void send();
    else if (b.id === 'k-done') toIdle();
  });
  for (const type of ['pointerdown', 'keydown', 'input']) document.addEventListener(type, touched, true);
  // Full screen needs a touch to be allowed: the first one (and after staff left it).
  document.addEventListener('pointerdown', () => {
    if (document.fullscreenEnabled && !document.fullscreenElement)
      document.documentElement.requestFullscreen().catch(() => {});
  });
  addEventListener('online', () => {
    backoff = 0;
    wakePoll();
    void sync();
  });
  let wakeLock = null;
  async function keepAwake() {
    try {
      if (!wakeLock && navigator.wakeLock && document.visibilityState === 'visible') {
        wakeLock = await navigator.wakeLock.request('screen');
        wakeLock.addEventListener('release', () => {
          wakeLock = null;
        });
      }
    } catch (_) {}
  }
  document.addEventListener('visibilitychange', keepAwake);

  async function main() {
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/kiosk/sw.js', { scope: '/kiosk' }).catch(() => {});
    const cfg = await loadConfig();
    if (!cfg) return;
    if (!cfg.overall) return show('error');
    S.cfg = cfg;
    toIdle();
    void keepAwake();
    void sync();
    setInterval(sync, SYNC_EVERY_MS);
    // The desk's settings (areas, idle seconds) are taken again now and then, on the idle screen.
    setInterval(async () => {
      if (S.screen !== 'idle') return;
      try {
        const res = await fetch(`/kiosk/api/config?queued=${(await queue.all()).length}`, { cache: 'no-store' });
        if (res.status === 401) return lost();
        if (res.ok && S.screen === 'idle') {
          const next = readConfig(await res.json());
          if (next.overall) {
            S.cfg = next;
            render();
          }
        }
      } catch (_) {}
    }, 300_000);
    void poll();
  }
  void main();
})();
