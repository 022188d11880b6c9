import { useQuery } from '@tanstack/react-query';
import { type ApiError, get, post } from './client';
import type { Page } from './types';

/** A share as /api/share/* shows it (OpenList's SharingResp). */
export interface Share {
  id: string;
  files: string[];
  expires: string | null;
  pwd: string;
  accessed: number;
  max_accessed: number;
  disabled: boolean;
  remark: string;
  readme: string;
  header: string;
  creator: string;
}

export interface ShareInput {
  /** Paths as the fs routes take them (under the user's base path). */
  files: string[];
  pwd: string;
  /** ISO date, or null for never. */
  expires: string | null;
  max_accessed: number;
  remark: string;
  /** A custom id (needs the custom-id permission); empty for a random one. */
  id?: string;
}

/** Where a share is opened in the UI, and the API path of something inside it. */
export const SHARE_PREFIX = '/@s';

export function shareLink(id: string): string {
  return `${window.location.origin}${SHARE_PREFIX}/${encodeURIComponent(id)}`;
}

const q = (id: string) => `?id=${encodeURIComponent(id)}`;

export const shareApi = {
  create: (body: ShareInput) => post<Share>('/api/share/create', body),
  remove: (id: string) => post(`/api/share/delete${q(id)}`),
  enable: (id: string) => post(`/api/share/enable${q(id)}`),
  disable: (id: string) => post(`/api/share/disable${q(id)}`),
};

export function useShares() {
  return useQuery<Page<Share>, ApiError>({ queryKey: ['shares'], queryFn: () => get<Page<Share>>('/api/share/list?per_page=500'), retry: false });
}
