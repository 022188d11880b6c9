import { useCallback, useState } from 'react';

const KEY = 'filebridge.passwords';

function load(): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

/** The password to send for a path: the one given for it or for its nearest parent (this tab only). */
export function usePathPassword(path: string): [string, (pw: string) => void] {
  const [all, setAll] = useState(load);
  let pw = '';
  for (let p = path; ; p = p.slice(0, p.lastIndexOf('/')) || '/') {
    if (all[p] !== undefined) {
      pw = all[p] ?? '';
      break;
    }
    if (p === '/') break;
  }
  const set = useCallback(
    (value: string) => {
      const next = { ...load(), [path]: value };
      sessionStorage.setItem(KEY, JSON.stringify(next));
      setAll(next);
    },
    [path],
  );
  return [pw, set];
}
