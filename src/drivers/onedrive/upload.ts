import type { Readable } from 'node:stream';
import { FsError } from '../../core/errors.js';
import { discard } from '../shared/http.js';
import { parts } from '../shared/parts.js';
import type { RestClient } from '../shared/rest.js';
import { graphItem, graphSession, type GraphItem } from './wire.js';

/** Graph wants upload session chunks in multiples of 320 KiB. */
export const CHUNK_UNIT = 320 * 1024;

export interface SessionUpload {
  /** Graph calls; its `direct` PUTs go to the pre-authenticated session URL. */
  graph: RestClient;
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
  const c = { op: 'write', rel: p.rel, signal: p.signal };
  const session = await p.graph.post(`${p.itemUrl}/createUploadSession`, { item: { '@microsoft.graph.conflictBehavior': 'replace' } }, graphSession, c);
  try {
    let offset = 0;
    let done: GraphItem | undefined;
    for await (const range of parts(body, p.chunk)) {
      done = await putRange(p, session.uploadUrl, range, offset);
      offset += range.length;
    }
    if (!done || offset !== p.size) throw new FsError('upstream_error', `write "/${p.rel}": the upload session did not complete (${offset} of ${p.size} bytes)`);
    return done;
  } catch (err) {
    await p.graph.direct({ method: 'DELETE', url: session.uploadUrl }, { op: 'write', rel: p.rel }, [200, 204]).then(discard, () => undefined);
    throw err;
  }
}

/** PUTs one range (repeated after a network failure or a 5xx: it is in memory); the item once the last range is in. */
async function putRange(p: SessionUpload, url: string, data: Buffer, offset: number): Promise<GraphItem | undefined> {
  const headers = { 'content-length': String(data.length), 'content-range': `bytes ${offset}-${offset + data.length - 1}/${p.size}` };
  const res = await p.graph.direct({ method: 'PUT', url, headers, body: data }, { op: 'write', rel: p.rel, signal: p.signal, idempotent: true }, [200, 201, 202]);
  if (res.status === 202) {
    await discard(res);
    return undefined;
  }
  const parsed = graphItem.safeParse(JSON.parse(await res.body.text()));
  if (!parsed.success) throw new FsError('upstream_error', `write "/${p.rel}": unexpected answer to the last range`);
  return parsed.data;
}
