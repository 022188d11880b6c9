import { randomBytes } from 'node:crypto';
import { FakeTree, type FakeNode } from './tree.js';

/** An AliyunDrive Open error answer: HTTP status plus `{ code, message }`. */
export class AliError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

type Body = Record<string, unknown>;

export interface Upload {
  fileId: string;
  uploadId: string;
  parts: Map<number, Buffer>;
  replaces?: string;
}

export function fileJson(n: FakeNode, driveId: string): Body {
  const ext = n.type === 'file' && n.name.includes('.') ? n.name.slice(n.name.lastIndexOf('.') + 1) : '';
  return {
    drive_id: driveId,
    file_id: n.id,
    parent_file_id: n.parentId,
    name: n.name,
    type: n.type,
    ...(n.type === 'file' ? { size: n.data.length, file_extension: ext, content_hash: FakeTree.sha1(n.data), content_hash_name: 'sha1', category: 'others' } : {}),
    created_at: n.createdAt.toISOString(),
    updated_at: n.updatedAt.toISOString(),
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The file operations of the fake, over one tree; `base` is the fake's own URL for upload and download links. */
export class AliFiles {
  readonly uploads = new Map<string, Upload>();
  constructor(readonly tree: FakeTree, readonly driveId: string, readonly base: () => string) {}

  node(id: unknown): FakeNode {
    const n = this.tree.get(str(id));
    if (!n) throw new AliError(404, 'NotFound.File', 'The resource file cannot be found. file not exist');
    return n;
  }

  folder(id: unknown): FakeNode {
    const n = this.node(id);
    if (n.type !== 'folder') throw new AliError(400, 'InvalidParameter.ParentFileId', 'The input parameter parent_file_id is not valid. not a folder');
    return n;
  }

  list(b: Body): Body {
    const parent = this.folder(b.parent_file_id);
    const limit = b.limit === undefined ? 50 : Number(b.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new AliError(400, 'InvalidParameter.Limit', 'The input parameter limit is not valid.');
    const all = this.tree.children(parent.id);
    if (str(b.order_direction).toUpperCase() === 'DESC') all.reverse();
    const start = str(b.marker) === '' ? 0 : Number(Buffer.from(str(b.marker), 'base64url').toString());
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64url') : '';
    return { items: page.map((n) => fileJson(n, this.driveId)), next_marker: next };
  }

  getByPath(b: Body): Body {
    const path = str(b.file_path);
    if (!path.startsWith('/')) throw new AliError(400, 'InvalidParameter.FilePath', 'The input parameter file_path is not valid.');
    const n = this.tree.byPath(path);
    if (!n) throw new AliError(404, 'NotFound.File', 'The resource file cannot be found. file not exist');
    return fileJson(n, this.driveId);
  }

  downloadUrl(b: Body): Body {
    const n = this.node(b.file_id);
    if (n.type !== 'file') throw new AliError(400, 'InvalidParameter.FileId', 'The input parameter file_id is not valid. not a file');
    const sec = Math.min(Number(b.expire_sec ?? 900) || 900, 14_400);
    const expiration = new Date(Date.now() + sec * 1000);
    return { url: `${this.base()}/download/${n.id}?x-oss-expires=${expiration.getTime()}&sig=${randomBytes(6).toString('hex')}`, expiration: expiration.toISOString(), method: 'GET' };
  }

  create(b: Body): Body {
    const parent = this.folder(b.parent_file_id);
    const name = str(b.name);
    if (name === '' || name.includes('/')) throw new AliError(400, 'InvalidParameter.Name', 'The input parameter name is not valid.');
    const type = str(b.type) === 'folder' ? 'folder' : 'file';
    const mode = str(b.check_name_mode) || 'ignore';
    const existing = this.tree.child(parent.id, name);
    if (existing && mode === 'refuse') return { ...fileJson(existing, this.driveId), file_name: existing.name, exist: true };
    const finalName = existing && mode === 'auto_rename' ? `${name}(${Date.now()})` : name;
    if (type === 'folder') {
      const dir = this.tree.create(parent.id, finalName, 'folder');
      return { ...fileJson(dir, this.driveId), file_name: dir.name };
    }
    const file = this.tree.create(parent.id, finalName, 'file', { pending: true });
    const upload: Upload = { fileId: file.id, uploadId: randomBytes(8).toString('hex').toUpperCase(), parts: new Map() };
    this.uploads.set(upload.uploadId, upload);
    return { ...fileJson(file, this.driveId), file_name: file.name, upload_id: upload.uploadId, rapid_upload: false, part_info_list: this.partUrls(upload, b.part_info_list) };
  }

  uploadUrls(b: Body): Body {
    const upload = this.uploads.get(str(b.upload_id));
    if (!upload || upload.fileId !== str(b.file_id)) throw new AliError(404, 'NotFound.UploadId', 'The resource upload_id cannot be found.');
    return { drive_id: this.driveId, file_id: upload.fileId, upload_id: upload.uploadId, part_info_list: this.partUrls(upload, b.part_info_list) };
  }

  private partUrls(upload: Upload, list: unknown): Body[] {
    const parts = Array.isArray(list) ? (list as Body[]) : [];
    return parts.map((p) => ({ part_number: Number(p.part_number), upload_url: `${this.base()}/upload/${upload.uploadId}/${Number(p.part_number)}?sig=${randomBytes(6).toString('hex')}`, content_type: '' }));
  }

  complete(b: Body): Body {
    const upload = this.uploads.get(str(b.upload_id));
    const file = this.tree.raw(str(b.file_id));
    if (!upload || !file || upload.fileId !== file.id) throw new AliError(404, 'NotFound.UploadId', 'The resource upload_id cannot be found.');
    const numbers = [...upload.parts.keys()].sort((x, y) => x - y);
    if (numbers.some((n, i) => n !== i + 1)) throw new AliError(400, 'InvalidParameter.PartNumber', 'parts are not contiguous');
    file.data = Buffer.concat(numbers.map((n) => upload.parts.get(n) ?? Buffer.alloc(0)));
    file.pending = false;
    file.updatedAt = new Date();
    this.uploads.delete(upload.uploadId);
    return fileJson(file, this.driveId);
  }

  update(b: Body): Body {
    const n = this.node(b.file_id);
    const name = str(b.name);
    if (name !== '' && name !== n.name) {
      const clash = this.tree.child(n.parentId, name);
      if (clash && str(b.check_name_mode) !== 'ignore') throw new AliError(409, 'AlreadyExist.File', 'The resource file has already exists.');
      n.name = name;
    }
    n.updatedAt = new Date();
    return fileJson(n, this.driveId);
  }

  move(b: Body): Body {
    const n = this.node(b.file_id);
    const to = this.folder(b.to_parent_file_id);
    if (this.tree.isWithin(to.id, n.id)) throw new AliError(400, 'InvalidParameter.ToParentFileId', 'cannot move a folder into itself');
    const name = str(b.new_name) || n.name;
    const clash = this.tree.child(to.id, name);
    if (clash && clash.id !== n.id && str(b.check_name_mode) !== 'ignore') return { drive_id: this.driveId, file_id: clash.id, async_task_id: '', exist: true };
    n.parentId = to.id;
    n.name = name;
    return { drive_id: this.driveId, file_id: n.id, async_task_id: '', exist: false };
  }

  copy(b: Body): Body {
    const n = this.node(b.file_id);
    const to = this.folder(b.to_parent_file_id);
    if (this.tree.isWithin(to.id, n.id)) throw new AliError(400, 'InvalidParameter.ToParentFileId', 'cannot copy a folder into itself');
    let name = n.name;
    if (this.tree.child(to.id, name)) {
      if (b.auto_rename !== true) throw new AliError(409, 'AlreadyExist.File', 'The resource file has already exists.');
      name = `${n.name}(${randomBytes(3).toString('hex')})`;
    }
    const dup = this.tree.copy(n.id, to.id, name);
    return { drive_id: this.driveId, file_id: dup.id, async_task_id: n.type === 'folder' ? randomBytes(6).toString('hex') : '' };
  }

  trash(b: Body, permanently: boolean): Body {
    const raw = this.tree.raw(str(b.file_id));
    if (!raw || raw.trashed) throw new AliError(404, 'NotFound.File', 'The resource file cannot be found. file not exist');
    if (permanently) this.tree.remove(raw.id);
    else raw.trashed = true;
    return { drive_id: this.driveId, file_id: raw.id, async_task_id: '' };
  }
}
