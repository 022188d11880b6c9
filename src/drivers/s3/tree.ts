import { CopyObjectCommand, DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { FsError } from '../../core/errors.js';
import { mapLimit } from '../shared/limit.js';
import { allObjects, type ListedObject, type Lister } from './listing.js';
import { encodeKey } from './keys.js';
import { s3Call, s3Error } from './s3.errors.js';

/** CopyObject's limit; larger objects need a multipart copy, which core's streamed copy replaces. */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;
const DELETE_BATCH = 1000;

export interface TreeOps {
  lister: Lister;
  client: S3Client;
  bucket: string;
  /** Requests in flight at once for per-object work. */
  concurrency: number;
}

/** Deletes keys in batches of 1000 (one DeleteObjects each); fails on the first key S3 refuses. */
export async function deleteKeys(t: TreeOps, keys: readonly string[], rel: string): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const out = await s3Call('remove', rel, () =>
      t.client.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
    );
    const failed = out.Errors?.[0];
    if (failed) {
      const err = Object.assign(new Error(failed.Message ?? 'delete failed'), { name: failed.Code ?? 'DeleteFailed' });
      throw s3Error(err, 'remove', rel);
    }
  }
}

/** Deletes every object below a prefix, page by page. */
export async function deletePrefix(t: TreeOps, prefix: string, rel: string): Promise<void> {
  const keys: string[] = [];
  for await (const objects of allObjects(t.lister, { prefix, op: 'remove', rel })) keys.push(...objects.map((o) => o.key));
  await deleteKeys(t, keys, rel);
}

/** Copies one object server-side. */
export async function copyObject(t: TreeOps, from: string, to: string, rel: string): Promise<void> {
  await s3Call('copy', rel, () =>
    t.client.send(new CopyObjectCommand({ Bucket: t.bucket, Key: to, CopySource: `${encodeURIComponent(t.bucket)}/${encodeKey(from)}` })),
  );
}

/** Every object below a prefix; refuses with not_supported when one is too large for CopyObject. */
export async function objectsForCopy(t: TreeOps, prefix: string, rel: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for await (const page of allObjects(t.lister, { prefix, op: 'copy', rel })) objects.push(...page);
  if (objects.some((o) => o.size > MAX_COPY_BYTES)) {
    throw new FsError('not_supported', `copy "/${rel}": an object is larger than 5 GiB, which needs a streamed copy`);
  }
  return objects;
}

/** Copies every object below `fromPrefix` to the same relative key below `toPrefix`. */
export async function copyPrefix(t: TreeOps, objects: readonly ListedObject[], prefixes: { from: string; to: string }, rel: string): Promise<void> {
  await mapLimit(objects, t.concurrency, (o) => copyObject(t, o.key, prefixes.to + o.key.slice(prefixes.from.length), rel));
}
