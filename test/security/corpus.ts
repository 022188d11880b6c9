import { traversalCorpus } from '../fixtures/traversal.js';

/** How many runs property tests make: small in `npm test`, larger with FILEBRIDGE_FUZZ_RUNS (npm run test:security). */
export function fuzzRuns(fast: number): number {
  const n = Number(process.env.FILEBRIDGE_FUZZ_RUNS ?? '');
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fast;
}

/**
 * The hostile path corpus: the shared traversal fixture plus overlong UTF-8, more look-alikes,
 * NFKC folds, drive and UNC paths, `file:` URLs, and paths through symlinks that point out of the root.
 */
export function hostileCorpus(target: string): string[] {
  const out = new Set(traversalCorpus(target));
  const dots = ['%c0%2e%c0%2e', '%e0%80%ae%e0%80%ae', '%f0%80%80%ae%f0%80%80%ae', '%25c0%25ae%25c0%25ae', '\ufe52\ufe52', '.\u0338.', '%u002e%u002e', '.\u200b.', '..\u0000'];
  const seps = ['/', '\\', '%2F', '%5C', '%255c', '%c1%9c', '%c0%2f', '\uff3c', '\u2044', '\u29f5'];
  for (const d of dots) for (const s of seps) out.add(`/sub${s}${d}${s}${target}`);
  for (const extra of [
    `/etc/passwd`, `//etc/passwd`, `file:///etc/passwd`, `\\\\?\\C:\\${target}`, `\\\\.\\C:\\${target}`, `c:${target}`, `C:..\\${target}`,
    `/link-out/${target}`, `/link-out`, `/link-file`, `/sub/../link-out/${target}`, `/link-out/../${target}`, `/link-loop/x`, `/link-abs/${target}`,
    `/sub/%2e%2e/%2e%2e/${target}`, `/%2e%2e%2f%2e%2e%2f${target}`, `/..%00/${target}`, `/..%01/${target}`, `/.. /${target}`, `/ ../${target}`,
    `/..\t/${target}`, `/%20..%20/${target}`, `/%E2%80%A4%E2%80%A4/${target}`, `/%EF%BC%8E%EF%BC%8E/${target}`, `/%ef%bc%8f..%ef%bc%8f${target}`,
    `/sub/..%2f..%2f${target}`, `/sub/..%5c..%5c${target}`, `/sub/.%252e/.%252e/${target}`, `/${'../'.repeat(40)}${target}`, `/${'..\\'.repeat(40)}${target}`,
    `/\u0130/../${target}`, `/\u212a/../${target}`, `/%ff%fe/${target}`, `/%c0/${target}`, `/%/${target}`, `/%%32%65%%32%65/${target}`, `/?../${target}`, `/#../${target}`,
  ]) out.add(extra);
  return [...out];
}

/** Percent-escapes what an HTTP request line cannot carry raw; keeps existing escapes and separators as sent. */
export function urlSafe(payload: string): string {
  return payload.replace(/[\u0000-\u0020\u007f-\uffff"<>^`{|}#?]/g, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD';
    }
  });
}

/** A header value HTTP can carry: control and non-latin characters percent-escaped. */
export function headerSafe(payload: string): string {
  return payload.replace(/[\u0000-\u001f\u007f-\uffff]/g, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD';
    }
  });
}
