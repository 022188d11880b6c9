import type { Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FsError } from '../../core/errors.js';
import { countBody, uploadFailure } from '../shared/byte-counter.js';
import { s3Error } from './s3.errors.js';

export interface UploadRequest {
  client: S3Client;
  bucket: string;
  key: string;
  body: Readable;
  size?: number;
  signal?: AbortSignal;
  rel: string;
}

/** Part size: S3's minimum; with a queue of 4, one upload buffers at most 20 MiB. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 4;

/**
 * Streams a body into one object with lib-storage: one PutObject for bodies under 5 MiB,
 * multipart above (also when the size is unknown). S3 makes the object visible only when the
 * upload completes, so a failed or aborted upload leaves nothing (multipart parts are aborted).
 * Returns the number of bytes stored.
 */
export async function uploadObject(r: UploadRequest): Promise<number> {
  if (r.signal?.aborted) throw new FsError('aborted', `write "/${r.rel}": aborted`);
  const counted = countBody(r.body, r.size, r.rel);
  const counter = counted.stream;
  const controller = new AbortController();
  // A broken or wrong-sized body cancels the request: S3 then never sees a complete object.
  counter.once('error', () => controller.abort());
  const onAbort = (): void => {
    controller.abort();
    counter.destroy(new FsError('aborted', `write "/${r.rel}": aborted`));
  };
  r.signal?.addEventListener('abort', onAbort, { once: true });
  // A body of known size under one part is read (bounded by the part size, as lib-storage's parts
  // are), checked against its declared size, then sent in one PutObject: a short or broken body
  // never reaches the server. Anything else goes through lib-storage's multipart upload.
  const single = r.size !== undefined && r.size < PART_SIZE;
  const upload = single
    ? undefined
    : new Upload({
        client: r.client,
        params: { Bucket: r.bucket, Key: r.key, Body: counter },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
        abortController: controller,
      });
  try {
    if (upload) await upload.done();
    else {
      const chunks: Buffer[] = [];
      for await (const chunk of counter) chunks.push(chunk as Buffer);
      const clientError = counted.clientError();
      if (clientError) throw clientError;
      const body = Buffer.concat(chunks);
      await r.client.send(new PutObjectCommand({ Bucket: r.bucket, Key: r.key, Body: body, ContentLength: body.length }), { abortSignal: controller.signal });
    }
    return counter.bytes();
  } catch (err) {
    counter.destroy();
    throw uploadFailure(err, { signal: r.signal, bodyError: counted.clientError(), rel: r.rel }) ?? s3Error(err, 'write', r.rel);
  } finally {
    r.signal?.removeEventListener('abort', onAbort);
  }
}
