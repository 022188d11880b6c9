import { FsError } from '../../core/errors.js';
import type { NameCipher } from './names.js';

/** Maps storage-relative plain paths to the absolute tree paths of their encrypted counterparts. */
export class RemotePaths {
  /** The remote folder as an absolute tree path without a trailing slash ("" for the tree's root). */
  private readonly root: string;

  constructor(
    remotePath: string,
    private readonly names: NameCipher,
  ) {
    const trimmed = remotePath.trim().replace(/\/+$/, '');
    this.root = trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  }

  /** The remote folder itself. */
  top(): string {
    return this.root === '' ? '/' : this.root;
  }

  /** Where the folder `rel` is stored. */
  dir(rel: string): string {
    if (rel === '') return this.top();
    return `${this.root}/${this.encode(rel.split('/'), (n) => this.names.encryptDir(n))}`;
  }

  /** Where the file `rel` is stored. */
  file(rel: string): string {
    const parts = rel.split('/');
    const last = parts.pop() ?? '';
    const parent = parts.length === 0 ? '' : `/${this.encode(parts, (n) => this.names.encryptDir(n))}`;
    return `${this.root}${parent}/${this.encode([last], (n) => this.names.encryptFile(n))}`;
  }

  private encode(parts: string[], one: (name: string) => string): string {
    try {
      return parts.map(one).join('/');
    } catch (err) {
      throw new FsError('invalid_path', `name too long to encrypt: ${parts.join('/')}`, { cause: err });
    }
  }
}
