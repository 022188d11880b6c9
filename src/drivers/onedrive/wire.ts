import { z } from 'zod';
import type { Entry } from '../../core/storage/index.js';

/** A driveItem of Microsoft Graph (the fields this driver reads). */
export const graphItem = z.object({
  id: z.string(),
  name: z.string().optional().default(''),
  size: z.number().optional().default(0),
  lastModifiedDateTime: z.string().optional(),
  createdDateTime: z.string().optional(),
  folder: z.object({ childCount: z.number().optional() }).optional(),
  file: z.object({ mimeType: z.string().optional() }).passthrough().optional(),
  parentReference: z.object({ id: z.string().optional(), path: z.string().optional() }).optional(),
  '@microsoft.graph.downloadUrl': z.string().optional(),
});
export type GraphItem = z.infer<typeof graphItem>;

export const graphChildren = z.object({ value: z.array(graphItem), '@odata.nextLink': z.string().optional() });

export const graphSession = z.object({ uploadUrl: z.string(), expirationDateTime: z.string().optional() });

export const graphDrive = z.object({ id: z.string(), quota: z.object({ total: z.number().optional(), used: z.number().optional(), remaining: z.number().optional() }).optional() });

export const graphError = z.object({ error: z.object({ code: z.string(), message: z.string().optional().default('') }) });

export const anyJson = z.unknown();

export function entryOf(i: GraphItem, name = i.name): Entry {
  const isDir = i.folder !== undefined;
  const mtime = i.lastModifiedDateTime ? new Date(i.lastModifiedDateTime) : undefined;
  const ctime = i.createdDateTime ? new Date(i.createdDateTime) : undefined;
  return { name, isDir, size: isDir ? 0 : i.size, ...(mtime && !Number.isNaN(mtime.getTime()) ? { mtime } : {}), ...(ctime && !Number.isNaN(ctime.getTime()) ? { ctime } : {}) };
}
