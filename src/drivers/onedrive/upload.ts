import type { Readable } from 'node:stream';
import { FsError } from '../../core/errors.js';
import { discard, type HttpClient } from '../shared/http.js';
import type { GraphClient } from './client.js';
import { requestError } from './onedrive.errors.js';
import { graphItem, graphSession, type GraphItem } from './wire.js';

/** Graph wants upload session chunks in multiples of 320 KiB. */
export const CHUNK_UNIT = 320 * 1024;

export interface SessionUpload {
  graph: GraphClient;
  /** For PUTs to the session URL (pre-authenticated: no bearer token). */
  http: HttpClient;
  /** The item URL by path (`.../root:/a/b.txt:`). */
  itemUrl: string;
  size: number;
  chunk: number;
  rel: string;
  signal?: AbortSignal;
}

/**
 * createUploadSession with conflictBehavior "replace", then PUT byte ranges of `chunk` bytes
 * (buffered one at a time) with Content-Range; the item appears, or replaces the old one, only
 * when the last range lands. A failure cancels the session (DELETE).
 */
export async function uploadSession(p: SessionUpload, body: Readable): Promise<GraphItem> {
  const c = { op: 'write', rel: p.rel, ...(p.signal ? { signal: p.signal } : {}) };
  const session = await p.graph.json(
    { method: 'POST', url: `${p.itemUrl}/createUploadSession`, body: JSON.stringify({ item: { '@microsoft.graph.conflictBehavior': 'replace' } }) },
    graphSession,
    c,
  );
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let offset = 0;
    let done: GraphItem | undefined;
    const flush = async (n: number): Promise<void> => {
      const all = Buffer.concat(pending, pendingBytes);
      pending = n < all.length ? [all.subarray(n)] : [];
      pendingBytes = all.length - n;
      done = await putRange(p, session.uploadUrl, all.subarray(0, n), offset);
      offset += n;
    };
    for await (const chunk of body) {
      pending.push(chunk as Buffer);
      pendingBytes += (chunk as Buffer).length;
      while (pendingBytes >= p.chunk && offset + p.chunk < p.size) await flush(p.chunk);
    }
    if (pendingBytes > 0) await flush(pendingBytes);
    if (!done || offset !== p.size) throw new FsError('upstream_error', `write "/${p.rel}": the upload session did not complete (${offset} of ${p.size} bytes)`);
    return done;
  } catch (err) {
    await p.http.send({ method: 'DELETE', url: session.uploadUrl }).then(discard, () => undefined);
    throw err;
  }
}

/** PUTs one range, up to 3 times on a network failure or a 5xx; returns the item once the last range is in. */
async function putRange(p: SessionUpload, url: string, data: Buffer, offset: number): Promise<GraphItem | undefined> {
  const headers = { 'content-length': String(data.length), 'content-range': `bytes ${offset}-${offset + data.length - 1}/${p.size}` };
  for (let attempt = 1; ; attempt++) {
    let res;
    try {
      res = await p.http.send({ method: 'PUT', url, headers, body: data, signal: p.signal });
    } catch (err) {
      if (p.signal?.aborted) throw new FsError('aborted', `write "/${p.rel}": aborted`, { cause: err });
      if (attempt >= 3) throw requestError(err, 'write', p.rel);
      continue;
    }
    if (res.status === 202) {
      await discard(res);
      return undefined;
    }
    if (res.status === 200 || res.status === 201) {
      const parsed = graphItem.safeParse(JSON.parse(await res.body.text()));
      if (!parsed.success) throw new FsError('upstream_error', `write "/${p.rel}": unexpected answer to the last range`);
      return parsed.data;
    }
    await discard(res);
    if (res.status < 500 || attempt >= 3) {
      throw new FsError(res.status >= 500 ? 'storage_unavailable' : 'upstream_error', `write "/${p.rel}": range ${offset} answered ${res.status}`, { retryable: res.status >= 500 });
    }
  }
}
