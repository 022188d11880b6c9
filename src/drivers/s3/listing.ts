import { ListObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { s3Call } from './s3.errors.js';

export interface ListedObject {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface ListPage {
  /** Full common prefixes, each ending in the delimiter. */
  prefixes: string[];
  objects: ListedObject[];
}

export interface ListRequest {
  prefix: string;
  /** "/" for one level; undefined for every key below the prefix. */
  delimiter?: string;
  /** Stop after this many keys in total (objects and prefixes). */
  limit?: number;
  signal?: AbortSignal;
  /** Storage-relative path and operation, for error messages. */
  op: string;
  rel: string;
}

export interface Lister {
  client: S3Client;
  bucket: string;
  version: 'v1' | 'v2';
}

const PAGE = 1000;

interface RawPage {
  CommonPrefixes?: { Prefix?: string }[];
  Contents?: { Key?: string; Size?: number; LastModified?: Date }[];
  IsTruncated?: boolean;
}

function toPage(raw: RawPage): ListPage {
  return {
    prefixes: (raw.CommonPrefixes ?? []).flatMap((p) => (p.Prefix === undefined ? [] : [p.Prefix])),
    objects: (raw.Contents ?? []).flatMap((o) =>
      o.Key === undefined ? [] : [{ key: o.Key, size: o.Size ?? 0, ...(o.LastModified ? { lastModified: o.LastModified } : {}) }],
    ),
  };
}

/**
 * Lists keys below a prefix, one request per 1000 keys, following continuation tokens (v2) or
 * markers (v1). Yields page by page so a large folder is never held in memory at once.
 */
export async function* listPages(l: Lister, req: ListRequest): AsyncGenerator<ListPage> {
  let token: string | undefined;
  let seen = 0;
  for (;;) {
    const maxKeys = req.limit === undefined ? PAGE : Math.min(PAGE, req.limit - seen);
    const base = { Bucket: l.bucket, Prefix: req.prefix, Delimiter: req.delimiter, MaxKeys: maxKeys };
    const opts = { abortSignal: req.signal };
    let next: string | undefined;
    let page: ListPage;
    if (l.version === 'v2') {
      const out = await s3Call(req.op, req.rel, () => l.client.send(new ListObjectsV2Command({ ...base, ContinuationToken: token }), opts));
      page = toPage(out);
      next = out.IsTruncated ? out.NextContinuationToken : undefined;
    } else {
      const out = await s3Call(req.op, req.rel, () => l.client.send(new ListObjectsCommand({ ...base, Marker: token }), opts));
      page = toPage(out);
      const last = [...page.objects.map((o) => o.key), ...page.prefixes].sort().at(-1);
      next = out.IsTruncated ? (out.NextMarker ?? last) : undefined;
    }
    seen += page.prefixes.length + page.objects.length;
    yield page;
    if (next === undefined || (req.limit !== undefined && seen >= req.limit)) return;
    token = next;
  }
}

/** Every object key below a prefix (recursive), page by page. */
export async function* allObjects(l: Lister, req: Omit<ListRequest, 'delimiter' | 'limit'>): AsyncGenerator<ListedObject[]> {
  for await (const page of listPages(l, req)) yield page.objects;
}
