import { z } from 'zod';
import type { Entry } from '../../core/storage/index.js';

/** A file or folder as AliyunDrive Open reports it (list items, get, get_by_path, complete). */
export const aliFile = z.object({
  file_id: z.string(),
  parent_file_id: z.string().optional(),
  name: z.string().optional(),
  file_name: z.string().optional(),
  type: z.enum(['file', 'folder']),
  size: z.number().optional(),
  content_hash: z.string().optional(),
  content_hash_name: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  exist: z.boolean().optional(),
});
export type AliFile = z.infer<typeof aliFile>;

export const aliList = z.object({ items: z.array(aliFile), next_marker: z.string().optional().default('') });

export const aliPart = z.object({ part_number: z.number(), upload_url: z.string() });

export const aliCreate = aliFile.extend({
  upload_id: z.string().optional(),
  rapid_upload: z.boolean().optional(),
  part_info_list: z.array(aliPart).optional().default([]),
});

export const aliUploadUrls = z.object({ part_info_list: z.array(aliPart) });

export const aliDownload = z.object({ url: z.string(), expiration: z.string().optional() });

export const aliDriveInfo = z.object({
  default_drive_id: z.string(),
  resource_drive_id: z.string().optional(),
  backup_drive_id: z.string().optional(),
});

export const aliMove = z.object({ file_id: z.string(), exist: z.boolean().optional() });

export const aliSpace = z.object({ personal_space_info: z.object({ used_size: z.number(), total_size: z.number() }) });

export const aliError = z.object({ code: z.string(), message: z.string().optional().default('') });

const date = (v: string | undefined): Date | undefined => {
  const t = v === undefined ? NaN : Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
};

export function entryOf(f: AliFile, name = f.name ?? f.file_name ?? ''): Entry {
  const isDir = f.type === 'folder';
  const mtime = date(f.updated_at);
  const ctime = date(f.created_at);
  const hash = !isDir && f.content_hash && (f.content_hash_name ?? 'sha1') === 'sha1' ? { sha1: f.content_hash.toLowerCase() } : undefined;
  return { name, isDir, size: isDir ? 0 : (f.size ?? 0), ...(mtime ? { mtime } : {}), ...(ctime ? { ctime } : {}), ...(hash ? { hashes: hash } : {}) };
}
