// Progressive enhancement (the plain post works without it): answers stay on
// the phone until the server confirms them, resent with the same
// submissionId (stored once). A flaky link, a 503 or a closed tab lose
// nothing, and the page never thanks before the server did.
(() => {
  const KEY = 'hl-unsent:';
  const WAIT = { vi: 'Chưa gửi được, đang thử lại…', en: 'Not sent yet, retrying…' };
  const WEEK = 7 * 864e5;
  let pending = null;
  let timer = 0;
  let delay = 0;
  let busy = false;

  function store(op, path, value) {
    // Storage may be full or off (private mode): then only this tab retries.
    try {
      if (op === 'get') return JSON.parse(localStorage.getItem(KEY + path));
      if (op === 'set') localStorage.setItem(KEY + path, JSON.stringify(value));
      else localStorage.removeItem(KEY + path);
    } catch (_) {}
    return null;
  }

  // The answer replaces the body as a plain post would; this page's <head>
  // stays. The answer's <style>/<script> carry a nonce the CSP refuses: dropped.
  function show(html) {
    const doc = new DOMParser().parseFromString(html.replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ''), 'text/html');
    document.title = doc.title;
    document.documentElement.lang = doc.documentElement.lang;
    document.body.innerHTML = doc.body.innerHTML;
    window.scrollTo(0, 0);
  }

  // In flight the button says so and takes no second tap; a failed try
  // gives it back and says the answers wait.
  function sending(on) {
    const b = document.querySelector('form[data-retry] [type=submit]');
    if (!b) return;
    b.dataset.send = b.dataset.send || b.textContent;
    b.textContent = b.dataset[on ? 'sending' : 'send'];
    b.disabled = on;
    b.setAttribute('aria-busy', on);
    if (on) return;
    let el = document.getElementById('hl-wait');
    if (!el) {
      el = document.createElement('p');
      el.id = 'hl-wait';
      el.className = 'alert';
      el.setAttribute('role', 'status');
      b.parentNode.insertBefore(el, b);
    }
    el.textContent = WAIT[document.documentElement.lang] || WAIT.vi;
  }

  function send() {
    clearTimeout(timer);
    if (busy || !pending) return;
    busy = true;
    sending(true);
    const p = pending;
    fetch(p.path, {
      method: 'POST',
      body: p.body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      credentials: 'same-origin',
      cache: 'no-store',
    })
      .then((res) => {
        if (res.status >= 500) throw new Error(res.status);
        return res.text().then((html) => {
          // 2xx thanks; 4xx (form errors, already sent, used code): shown as is.
          store('del', p.path);
          pending = null;
          show(html);
        });
      })
      .catch(() => {
        sending(false);
        delay = Math.min(delay ? delay * 2 : 1000, 30000);
        timer = setTimeout(send, delay);
      })
      .then(() => {
        busy = false;
      });
  }

  function start(path, body) {
    pending = { path: path, body: body, at: Date.now() };
    store('set', path, pending);
    delay = 0;
    send();
  }

  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!form.matches('form[data-retry]') || !window.fetch) return;
    e.preventDefault();
    start(form.getAttribute('action'), new URLSearchParams(new FormData(form)).toString());
  });

  window.addEventListener('online', () => {
    delay = 0;
    send();
  });

  // Reopened with unconfirmed answers: shown and sent again.
  const form = document.querySelector('form[data-retry]');
  const saved = form && store('get', form.getAttribute('action'));
  if (!saved) return;
  if (!(Date.now() - saved.at < WEEK)) return store('del', form.getAttribute('action'));
  new URLSearchParams(saved.body).forEach((value, name) => {
    const field = form.elements[name];
    if (!field) return;
    if (field.type === 'radio') field.checked = field.value === value;
    else field.value = value; // checks the radio of a group with this value
  });
  pending = saved;
  sending(false);
  send();
})();
