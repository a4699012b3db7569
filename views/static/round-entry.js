// Paper forms of a survey round typed from the keyboard (issue 16): the entry
// screen (one field at a time, the digits printed on the paper, then a
// summary and a JSON post) and the reconciliation form (digits auto-advance).
// No inline script, no eval: the page's CSP allows this file only.
(() => {
  'use strict';

  const reconcile = document.getElementById('reconcile-form');
  if (reconcile) {
    enhanceReconcile(reconcile);
    return;
  }
  const root = document.getElementById('entry');
  if (!root || root.dataset.ready) return;
  root.dataset.ready = '1';

  const roundId = root.dataset.round;
  const csrf = root.dataset.csrf;
  const from = root.dataset.from;
  const to = root.dataset.to;
  const onlyUnit = root.dataset.unit;
  const store = window.sessionStorage;
  const dayKey = `hl-round-day:${roundId}`;
  const countKey = `hl-round-count:${roundId}`;

  const $ = (id) => document.getElementById(id);
  const statusBox = $('entry-status');
  const actPos = $('act-pos');
  const actLabel = $('act-label');
  const actBoxes = $('act-boxes');
  const actError = $('act-error');
  const actKeys = $('act-keys');
  const actConfirm = $('act-confirm');
  const saveButton = $('save');
  const counter = $('session-count');

  const fields = [...root.querySelectorAll('tr[data-path]')].map((row) => ({
    row,
    path: row.dataset.path,
    kind: row.dataset.kind,
    label: row.dataset.label,
    pos: row.dataset.pos || row.querySelector('label').textContent,
    multi: row.dataset.multi === '1',
    required: row.dataset.required === '1',
    input: row.querySelector('input'),
    chosen: row.querySelector('.chosen'),
    boxes: [...row.querySelectorAll('.boxes li')].map((li) => ({
      digit: li.dataset.digit,
      value: li.dataset.value,
      label: li.textContent,
    })),
  }));
  const questions = fields.filter((f) => f.kind !== 'serial' && f.kind !== 'day').length;
  const isDigits = (f) => f.boxes.length > 0;
  let current = 0;
  let confirming = false;
  let saving = false;

  const pad = (n) => String(n).padStart(2, '0');
  const dayVi = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
  const todayIso = () => {
    // The day in Vietnam (UTC+7), as the server counts it.
    const d = new Date(Date.now() + 7 * 3600 * 1000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  };

  function sessionCount() {
    return Number(store.getItem(countKey) || '0');
  }
  function showCount() {
    counter.textContent = `Đã nhập trong phiên: ${sessionCount()} phiếu`;
  }

  function say(text, kind) {
    statusBox.textContent = text;
    statusBox.className = `entry-status ${kind || ''}`;
  }

  function setError(f, text) {
    f.row.classList.toggle('bad', !!text);
    let err = f.row.querySelector('.err');
    if (text && !err) {
      err = document.createElement('span');
      err.className = 'err';
      err.id = `err-${f.input.id}`;
      f.chosen.after(err);
      f.input.setAttribute('aria-describedby', err.id);
    }
    if (err) err.textContent = text || '';
    f.input.setAttribute('aria-invalid', text ? 'true' : 'false');
    if (f === fields[current]) actError.textContent = text || '';
  }

  function boxOf(f, typed) {
    const t = typed.trim().replace(/^0+(?=\d)/, '');
    return f.boxes.find((b) => b.digit === t);
  }

  /** Shows what a field holds in words; returns whether its value is complete. */
  function describe(f) {
    const v = f.input.value.trim();
    if (isDigits(f)) {
      const box = v === '' ? undefined : boxOf(f, v);
      f.chosen.textContent = v === '' ? '—' : box ? box.label : '?';
      return v === '' || !!box;
    }
    if (f.kind === 'text') f.chosen.textContent = v === '' ? '—' : '';
    return true;
  }

  function showActive(f) {
    const n = fields.indexOf(f);
    actPos.textContent =
      f.kind === 'serial' || f.kind === 'day' ? f.pos : `${f.pos} · mục ${n - 1}/${questions}`;
    actLabel.textContent = f.label;
    actBoxes.replaceChildren(
      ...f.boxes.map((b) => {
        const li = document.createElement('li');
        const k = document.createElement('kbd');
        k.textContent = b.digit;
        li.append(k, ` ${b.label}`);
        if (f.input.value.trim() !== '' && boxOf(f, f.input.value) === b) li.className = 'on';
        return li;
      }),
    );
    actError.textContent = f.row.querySelector('.err')?.textContent || '';
    actKeys.textContent =
      f.kind === 'serial'
        ? 'Gõ số phiếu (hoặc quét mã QR) rồi nhấn Enter.'
        : f.kind === 'day'
          ? 'Gõ ngày (dd/mm/yyyy hoặc ddmmyyyy) rồi nhấn Enter; Enter giữ ngày của phiếu trước.'
          : f.kind === 'text'
            ? 'Gõ ý kiến như trên phiếu rồi nhấn Enter (Enter khi trống: để trống).'
            : f.multi
              ? 'Gõ số của ô rồi nhấn Enter · Enter khi trống: để trống · Backspace/↑: quay lại.'
              : 'Gõ chữ số của ô đã đánh dấu · Enter: để trống · Backspace/↑: quay lại.';
  }

  function go(i) {
    confirming = false;
    actConfirm.hidden = true;
    current = Math.max(0, Math.min(i, fields.length - 1));
    const f = fields[current];
    for (const g of fields) g.row.classList.toggle('active', g === f);
    showActive(f);
    f.input.focus();
    f.input.select();
    f.row.scrollIntoView({ block: 'nearest' });
  }

  function next() {
    if (current + 1 < fields.length) go(current + 1);
    else summary();
  }

  function summary() {
    confirming = true;
    for (const g of fields) g.row.classList.remove('active');
    const serial = fields[0].input.value;
    actPos.textContent = 'Kiểm tra phiếu';
    actLabel.textContent = `Phiếu số ${serial}: đối chiếu bảng bên cạnh với tờ phiếu`;
    actBoxes.replaceChildren();
    actError.textContent = '';
    actKeys.textContent = '';
    actConfirm.hidden = false;
    saveButton.disabled = false;
    saveButton.focus();
  }

  function parseSerial(text) {
    const t = text.trim();
    const fromUrl = /[?&]serial=(\d{1,9})(?:[&#]|$)/.exec(t);
    const digits = fromUrl ? fromUrl[1] : /^\d{1,9}$/.test(t) ? t : undefined;
    const n = digits === undefined ? NaN : Number(digits);
    return Number.isInteger(n) && n >= 1 && n <= 99999 ? n : undefined;
  }

  function parseDay(text) {
    const t = text.trim();
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t) || /^(\d{2})(\d{2})(\d{4})$/.exec(t);
    if (!m) return undefined;
    const iso = `${m[3]}-${pad(m[2])}-${pad(m[1])}`;
    const d = new Date(`${iso}T00:00:00Z`);
    return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? undefined : iso;
  }

  /** Enter on a field: checks it, then moves on; false when it stays. */
  function commit(f) {
    const v = f.input.value.trim();
    if (f.kind === 'serial') {
      const n = parseSerial(v);
      if (n === undefined) {
        setError(f, 'Số phiếu phải là số nguyên từ 1 đến 99999 (hoặc quét mã QR trên phiếu).');
        return false;
      }
      f.input.value = String(n);
      f.chosen.textContent = '';
    } else if (f.kind === 'day') {
      const iso = parseDay(v);
      if (!iso) {
        setError(f, 'Ngày khảo sát không hợp lệ: gõ dd/mm/yyyy hoặc ddmmyyyy.');
        return false;
      }
      if (iso < from || iso > to || iso > todayIso()) {
        setError(
          f,
          iso > todayIso()
            ? 'Ngày khảo sát ở tương lai.'
            : `Ngày khảo sát phải trong thời gian khảo sát của đợt (${dayVi(from)} – ${dayVi(to)}).`,
        );
        return false;
      }
      f.input.value = dayVi(iso);
      f.input.dataset.iso = iso;
      store.setItem(dayKey, iso);
    } else if (isDigits(f)) {
      if (v === '' && f.required) {
        setError(f, 'Mục này không được để trống: gõ chữ số của ô trên phiếu.');
        return false;
      }
      if (v !== '' && !boxOf(f, v)) {
        setError(f, `Không có ô số ${v} ở mục này.`);
        return false;
      }
    }
    setError(f, '');
    describe(f);
    return true;
  }

  function onDigitKey(f, e) {
    const key = e.key;
    const input = f.input;
    const all = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    const candidate = f.multi && !all ? input.value + key : key;
    const exact = boxOf(f, candidate);
    const longer = f.boxes.some((b) => b.digit.length > candidate.length && b.digit.startsWith(candidate));
    if (!exact && !longer) {
      setError(f, `Không có ô số ${candidate} ở mục này.`);
      return;
    }
    input.value = candidate;
    setError(f, '');
    describe(f);
    showActive(f);
    if (exact && !longer) next();
  }

  root.addEventListener('keydown', (e) => {
    if (saving || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    if (confirming) {
      if (e.key === 'Escape') {
        e.preventDefault();
        go(0);
      } else if (e.key === 'ArrowUp' || e.key === 'Backspace') {
        e.preventDefault();
        go(fields.length - 1);
      }
      return;
    }
    const f = fields.find((g) => g.input === e.target);
    if (!f) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      if (f.kind === 'day' && f.input.value.trim() === '' && store.getItem(dayKey)) {
        f.input.value = dayVi(store.getItem(dayKey));
      }
      if (commit(f)) next();
    } else if (e.key === 'ArrowUp' || (e.key === 'Backspace' && (isDigits(f) ? !(f.multi && f.input.value && f.input.selectionStart !== 0) : f.input.value === ''))) {
      e.preventDefault();
      go(current - 1);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (commit(f)) next();
    } else if (e.key === 'Delete' && isDigits(f)) {
      e.preventDefault();
      f.input.value = '';
      describe(f);
      showActive(f);
    } else if (isDigits(f) && e.key.length === 1) {
      e.preventDefault();
      if (/^[0-9]$/.test(e.key)) onDigitKey(f, e);
      else setError(f, 'Gõ chữ số của ô như in trên phiếu.');
    }
  });

  // Tab or a click moves the active field too.
  root.addEventListener('focusin', (e) => {
    const i = fields.findIndex((g) => g.input === e.target);
    if (i >= 0 && (i !== current || confirming)) go(i);
  });

  function entry() {
    const value = (path) => fields.find((f) => f.path === path)?.input.value.trim() ?? '';
    const answers = {};
    let unitId = onlyUnit ? Number(onlyUnit) : undefined;
    let serviceArea = '';
    for (const f of fields) {
      if (f.kind === 'serial' || f.kind === 'day') continue;
      const v = f.input.value.trim();
      const stored = isDigits(f) ? (v === '' ? '' : (boxOf(f, v)?.value ?? '')) : v;
      if (f.path === 'unitId') unitId = Number(stored);
      else if (f.path === 'serviceArea') serviceArea = stored;
      else if (stored !== '') answers[f.path.slice('answers.'.length)] = stored;
    }
    return {
      serial: Number(value('serial')),
      surveyedOn: parseDay(value('surveyedOn')) ?? value('surveyedOn'),
      unitId,
      serviceArea,
      answers,
    };
  }

  function fresh() {
    for (const f of fields) {
      f.input.value = '';
      setError(f, '');
      f.chosen.textContent = '';
    }
    const day = store.getItem(dayKey);
    if (day) fields[1].input.value = dayVi(day);
    go(0);
  }

  const OUTCOME = {
    first: () => ['Đã lưu lần nhập thứ nhất.', 'ok'],
    counted: () => ['Khớp với lần nhập thứ nhất: phiếu đã được tính.', 'ok'],
    disagree: (r) => [
      `Không khớp với lần nhập thứ nhất ở ${r.fields.length} câu: phiếu chờ đối chiếu.`,
      'warn',
    ],
  };

  async function save() {
    if (saving) return;
    for (const f of fields.slice(0, 2)) {
      if (!commit(f)) {
        go(fields.indexOf(f));
        return;
      }
    }
    const body = entry();
    saving = true;
    saveButton.disabled = true;
    say(`Đang lưu phiếu số ${body.serial}…`, '');
    let res;
    let data = {};
    try {
      res = await fetch(`/staff/rounds/${roundId}/forms`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
      if ((res.headers.get('content-type') || '').includes('json')) data = await res.json();
    } catch {
      res = undefined;
    }
    saving = false;
    saveButton.disabled = false;
    const serial = `Phiếu số ${body.serial}: `;
    if (res && res.ok && OUTCOME[data.status]) {
      const [text, kind] = OUTCOME[data.status](data);
      store.setItem(countKey, String(sessionCount() + 1));
      showCount();
      say(serial + text, kind);
      fresh();
      return;
    }
    if (res && res.status === 422 && Array.isArray(data.problems)) {
      let first;
      for (const p of data.problems) {
        const f = fields.find((g) => g.path === p.path) || fields[0];
        setError(f, p.message?.vi || 'Giá trị không hợp lệ.');
        if (first === undefined || fields.indexOf(f) < first) first = fields.indexOf(f);
      }
      say(`${serial}chưa lưu: ${data.problems.length} chỗ cần sửa (đánh dấu đỏ).`, 'bad');
      go(first ?? 0);
      return;
    }
    if (res && res.status === 409) {
      say(
        serial +
          (data.status === 'same_clerk'
            ? 'Ông/Bà đã nhập lần thứ nhất phiếu này; lần nhập thứ hai phải do người khác nhập. Chưa lưu.'
            : 'phiếu này đã được nhập đủ hai lần. Chưa lưu. Kiểm tra lại số phiếu.'),
        'bad',
      );
      go(0);
      return;
    }
    const why = !res
      ? 'mất kết nối tới máy chủ'
      : res.status === 401 || res.status === 403
        ? 'phiên làm việc đã hết hạn (đăng nhập lại ở thẻ khác)'
        : `máy chủ trả lời lỗi ${res.status}`;
    say(`${serial}chưa lưu được (${why}). Phiếu vẫn còn trên màn hình: nhấn Enter để thử lại.`, 'bad');
    summary();
  }

  saveButton.addEventListener('click', save);
  $('new-form').addEventListener('click', () => {
    say('', '');
    fresh();
  });

  showCount();
  const day = store.getItem(dayKey);
  if (day && !fields[1].input.value) fields[1].input.value = dayVi(day);
  go(0);

  function enhanceReconcile(form) {
    const inputs = [...form.querySelectorAll('input[data-digits]')];
    form.addEventListener('keydown', (e) => {
      const i = inputs.indexOf(e.target);
      if (i < 0 || e.ctrlKey || e.altKey || e.metaKey) return;
      const input = inputs[i];
      const digits = input.dataset.digits.split(' ');
      if (/^[0-9]$/.test(e.key) && input.dataset.multi !== '1') {
        e.preventDefault();
        if (!digits.includes(e.key)) {
          input.setCustomValidity(`Không có ô số ${e.key} ở mục này.`);
          input.reportValidity();
          return;
        }
        input.setCustomValidity('');
        input.value = e.key;
        const after = [...form.querySelectorAll('input:not([type=hidden]), button')];
        const nextInput = after[after.indexOf(input) + 1];
        if (nextInput) nextInput.focus();
      } else if (e.key === 'ArrowUp' && i > 0) {
        e.preventDefault();
        inputs[i - 1].focus();
      }
    });
  }
})();
