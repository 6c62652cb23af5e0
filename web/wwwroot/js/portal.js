// Keyboard shortcuts and the browser-side settings of the portal. Shortcuts are ignored while typing in a field.
let handler = null;

export function start(dotnet, pages) {
  let pendingG = 0;
  handler = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    const typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)
      || (target.tagName && target.tagName.startsWith('FLUENT-') && 'value' in target));
    if (typing) return;
    const dialog = document.getElementById('shortcuts');
    if (event.key === '?') {
      event.preventDefault();
      if (!dialog.open) dialog.showModal();
      return;
    }
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      const href = pages[event.key];
      if (href) {
        event.preventDefault();
        Blazor.navigateTo(href);
      }
      return;
    }
    switch (event.key) {
      case 'g': pendingG = Date.now(); break;
      case '/': {
        const search = document.querySelector('[data-shortcut="search"]');
        if (search) { event.preventDefault(); search.focus(); }
        break;
      }
      case 'p': document.querySelector('[data-shortcut="live"]')?.click(); break;
      case 't': dotnet.invokeMethodAsync('ToggleTimeZoneAsync'); break;
      case 'Escape': document.querySelector('[data-shortcut="close"]')?.click(); break;
    }
  };
  document.addEventListener('keydown', handler);
  // Tests (and people's scripts) can tell when the page is interactive.
  document.body.dataset.interactive = 'true';
  return {
    localTime: localStorage.getItem('ct-time-local') === 'true',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || null,
  };
}

export function saveLocalTime(local) {
  localStorage.setItem('ct-time-local', local ? 'true' : 'false');
}

export function stop() {
  if (handler) document.removeEventListener('keydown', handler);
  handler = null;
}

// Downloads text made on the server (an export of the current view) without a second request.
export function download(fileName, contentType, text) {
  const url = URL.createObjectURL(new Blob([text], { type: contentType }));
  const a = document.createElement('a');
  a.href = url; a.download = fileName; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
