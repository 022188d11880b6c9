import type { Readable } from 'node:stream';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyReply } from 'fastify';
import { ZipFile } from 'yazl';

/** One entry of a zip: a folder, or a file whose bytes are opened only when its turn comes. */
export interface ZipItem {
  /** Path inside the archive, `/`-separated, no leading slash. */
  path: string;
  isDir: boolean;
  size: number;
  mtime?: Date;
  open?: (signal: AbortSignal) => Promise<Readable>;
}

/**
 * Streams a zip of `items` as the response, built while it is sent: each file is opened when
 * the archive reaches it and piped through (stored, not compressed: media does not shrink and
 * the bytes go out at the storage's pace), so nothing is staged and at most one file is open.
 * A failure midway cuts the response off (the client sees an incomplete download, never a
 * zip that looks whole); a client that goes away stops the walk and the open file.
 */
export async function sendZip(reply: FastifyReply, name: string, items: AsyncIterable<ZipItem>): Promise<FastifyReply> {
  const zip = new ZipFile();
  const abort = new AbortController();
  const out = zip.outputStream as Readable;
  reply.raw.once('close', () => abort.abort());
  zip.on('error', (err: Error) => out.destroy(err));
  reply
    .code(200)
    .header('Content-Type', 'application/zip')
    .header('Content-Disposition', contentDisposition(name, { type: 'attachment' }))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'no-store');
  void (async () => {
    try {
      for await (const item of items) {
        if (abort.signal.aborted) return;
        const mtime = item.mtime ?? new Date();
        if (item.isDir) {
          zip.addEmptyDirectory(item.path, { mtime });
          continue;
        }
        const open = item.open;
        if (!open) continue;
        zip.addReadStreamLazy(item.path, { mtime, compress: false, size: item.size }, (cb) => {
          open(abort.signal).then(
            (stream) => cb(null, stream),
            (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), undefined as unknown as Readable),
          );
        });
      }
      zip.end();
    } catch (err) {
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  return reply.send(out);
}
