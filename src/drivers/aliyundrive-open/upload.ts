import type { Readable } from 'node:stream';
import { FsError } from '../../core/errors.js';
import { discard, type HttpClient } from '../shared/http.js';
import type { AliClient } from './client.js';
import { requestError } from './aliyundrive-open.errors.js';
import { aliUploadUrls } from './wire.js';

export interface PartUpload {
  api: AliClient;
  /** For PUTs to the part URLs (pre-signed: no bearer token). */
  http: HttpClient;
  driveId: string;
  fileId: string;
  uploadId: string;
  partSize: number;
  /** URLs the create call already gave, by part number. */
  urls: Map<number, string>;
  rel: string;
  signal?: AbortSignal;
}

/** Part URLs are valid for about an hour; ask again after this long. */
const URL_MAX_AGE_MS = 50 * 60_000;

/**
 * Streams `body` to the part URLs of one upload, one part of `partSize` bytes buffered at a time
 * (the last may be shorter). Part URLs missing from the create answer, or grown old, are asked
 * for with getUploadUrl. Returns the number of parts sent (0 for an empty body).
 */
export async function sendParts(p: PartUpload, body: Readable): Promise<number> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let part = 0;
  let urlsAt = Date.now();
  const flush = async (bytes: number): Promise<void> => {
    const all = Buffer.concat(pending, pendingBytes);
    const data = all.subarray(0, bytes);
    pending = bytes < all.length ? [all.subarray(bytes)] : [];
    pendingBytes = all.length - bytes;
    part++;
    if (!p.urls.has(part) || Date.now() - urlsAt > URL_MAX_AGE_MS) {
      await refreshUrls(p, part);
      urlsAt = Date.now();
    }
    await putPart(p, part, data);
  };
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    pending.push(buf);
    pendingBytes += buf.length;
    while (pendingBytes > p.partSize) await flush(p.partSize);
  }
  // Everything but the last part is exactly partSize; the last carries the rest.
  if (pendingBytes > 0) await flush(pendingBytes);
  return part;
}

/** Asks for the URLs of parts `from`..`from + 9` (a few at once, fewer round trips for long uploads). */
async function refreshUrls(p: PartUpload, from: number): Promise<void> {
  const list = Array.from({ length: 10 }, (_, i) => ({ part_number: from + i }));
  const out = await p.api.post(
    '/adrive/v1.0/openFile/getUploadUrl',
    { drive_id: p.driveId, file_id: p.fileId, upload_id: p.uploadId, part_info_list: list },
    aliUploadUrls,
    { op: 'write', rel: p.rel, signal: p.signal, idempotent: true },
  );
  for (const u of out.part_info_list) p.urls.set(u.part_number, u.upload_url);
}

/** PUTs one part, up to 3 times on a network failure or a 5xx (the part is in memory, so it can be sent again). */
async function putPart(p: PartUpload, part: number, data: Buffer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const url = p.urls.get(part);
    if (!url) throw new FsError('upstream_error', `write "/${p.rel}": no upload URL for part ${part}`);
    let status: number;
    try {
      const res = await p.http.send({ method: 'PUT', url, body: data, headers: { 'content-length': String(data.length) }, signal: p.signal });
      await discard(res);
      status = res.status;
    } catch (err) {
      if (p.signal?.aborted) throw new FsError('aborted', `write "/${p.rel}": aborted`, { cause: err });
      if (attempt >= 3) throw requestError(err, 'write', p.rel);
      continue;
    }
    // 409 PartAlreadyExist: an earlier attempt of this same part got through.
    if (status === 200 || status === 409) return;
    if (status === 403 && attempt < 3) {
      await refreshUrls(p, part); // the URL expired
      continue;
    }
    if (status < 500 || attempt >= 3) throw new FsError(status >= 500 ? 'storage_unavailable' : 'upstream_error', `write "/${p.rel}": part ${part} upload answered ${status}`, { retryable: status >= 500 });
  }
}
