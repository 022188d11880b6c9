import { useSyncExternalStore } from 'react';

const EVENT = 'filebridge:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(EVENT, cb);
  };
}

/** The decoded URL path (the app's only routing state lives in the URL). */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => safeDecode(window.location.pathname));
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export function hrefFor(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/') || '/';
}

export function navigate(path: string, replace = false): void {
  const href = hrefFor(path);
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(EVENT));
  window.scrollTo(0, 0);
}
