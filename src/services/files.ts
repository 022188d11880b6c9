import type { TransferRequest, VirtualFs } from '../core/virtual-fs.js';
import type { DavPropRepository } from '../db/repositories/dav-props.js';

/**
 * File operations with what follows them beyond the storage, whichever door asked (API, WebDAV,
 * tasks): WebDAV dead properties move with a rename or move, are copied with a copy and go with
 * a removal, so a later PROPFIND never shows another file's properties.
 */
export class FileService {
  constructor(
    private readonly fs: VirtualFs,
    private readonly props: DavPropRepository,
  ) {}

  async remove(path: string): Promise<void> {
    await this.fs.remove(path, { recursive: true });
    await this.props.removeTree(path);
  }

  async move(src: string, dst: string, req: TransferRequest = {}): Promise<void> {
    await this.fs.move(src, dst, req);
    await this.moved(src, dst);
  }

  async copy(src: string, dst: string, req: TransferRequest = {}): Promise<void> {
    await this.fs.copy(src, dst, req);
    await this.copied(src, dst);
  }

  /** A move done elsewhere (a task) finished: the properties follow. */
  async moved(src: string, dst: string): Promise<void> {
    await this.props.moveTree(src, dst);
  }

  /** A copy done elsewhere (a task) finished: the properties are copied. */
  async copied(src: string, dst: string): Promise<void> {
    await this.props.copyTree(src, dst);
  }
}
