import type { Readable } from 'node:stream';
import { FsError } from '../../core/errors.js';
import { discard } from '../shared/http.js';
import { parts } from '../shared/parts.js';
import type { RestClient } from '../shared/rest.js';
import { aliUploadUrls } from './wire.js';

export interface PartUpload {
  /** API calls; its `direct` PUTs go to the pre-signed part URLs. */
  api: RestClient;
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
  let part = 0;
  let urlsAt = Date.now();
  for await (const data of parts(body, p.partSize)) {
    part++;
    if (!p.urls.has(part) || Date.now() - urlsAt > URL_MAX_AGE_MS) {
      await refreshUrls(p, part);
      urlsAt = Date.now();
    }
    await putPart(p, part, data);
  }
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

/** PUTs one part (repeated after a network failure or a 5xx: it is in memory); an expired URL (403) is asked for again. */
async function putPart(p: PartUpload, part: number, data: Buffer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const url = p.urls.get(part);
    if (!url) throw new FsError('upstream_error', `write "/${p.rel}": no upload URL for part ${part}`);
    const put = { method: 'PUT', url, body: data, headers: { 'content-length': String(data.length) } };
    // 409 PartAlreadyExist: an earlier attempt of this same part got through.
    const res = await p.api.direct(put, { op: 'write', rel: p.rel, signal: p.signal, idempotent: true }, [200, 403, 409]);
    await discard(res);
    if (res.status !== 403) return;
    if (attempt >= 3) throw new FsError('upstream_error', `write "/${p.rel}": part ${part} upload answered 403`);
    await refreshUrls(p, part);
  }
}
