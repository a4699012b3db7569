// Staff pages' small behaviours, loaded from /static/staff.js (the CSP admits
// no inline handler; the print buttons' listener is the layout's own).
// Listeners sit on the document, so pages that htmx swaps in keep them.
(() => {
  // On a phone a wide table scrolls in its own box (staff.css): keyboard users
  // must be able to focus the box to scroll it. Checked on load, after htmx
  // swaps a page in, and when the screen turns.
  const focusScrollers = () => {
    for (const box of document.querySelectorAll('main table, main .table-wrap')) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute('tabindex')) box.setAttribute('tabindex', '0');
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', focusScrollers);
  else focusScrollers();
  document.addEventListener('htmx:afterSettle', focusScrollers);
  window.addEventListener('resize', focusScrollers);

  // Files built whole on the server (PDF reports and posters, Excel tables)
  // take a few seconds: the link says so while it waits, then saves the file.
  // Streamed raw exports are left to the browser (they may be large).
  const BUILT = /^\/staff\/.+(\.pdf|\.docx|\/export\.xlsx)$/;
  const BUSY = 'Đang tạo tệp…';
  const fileName = (res) => {
    const m = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '');
    return m ? m[1] : 'tai-ve';
  };
  document.addEventListener('click', async (e) => {
    const link = e.target.closest?.('a[href]');
    if (!link || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !BUILT.test(url.pathname)) return;
    e.preventDefault();
    if (link.getAttribute('aria-busy') === 'true') return;
    const label = link.textContent;
    link.setAttribute('aria-busy', 'true');
    link.classList.add('busy');
    link.textContent = BUSY;
    try {
      const res = await fetch(url, { credentials: 'same-origin' });
      const attachment = /attachment/.test(res.headers.get('content-disposition') || '');
      if (!res.ok || !attachment) {
        // A refusal or a message page: show it as a page, as the plain link would.
        location.assign(url);
        return;
      }
      const blobUrl = URL.createObjectURL(await res.blob());
      const save = document.createElement('a');
      save.href = blobUrl;
      save.download = fileName(res);
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
    } catch {
      location.assign(url);
    } finally {
      link.textContent = label;
      link.classList.remove('busy');
      link.removeAttribute('aria-busy');
    }
  });
})();
