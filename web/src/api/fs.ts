import { useQuery } from '@tanstack/react-query';
import { ApiError, post } from './client';
import type { TransferReply } from './tasks';
import type { FsGet, FsList } from './types';

export function useFsGet(path: string, password: string) {
  return useQuery<FsGet, ApiError>({
    queryKey: ['get', path, password],
    queryFn: () => post<FsGet>('/api/fs/get', { path, password }),
    retry: false,
  });
}

export function useFsList(path: string, password: string, enabled = true) {
  return useQuery<FsList, ApiError>({
    queryKey: ['list', path, password],
    queryFn: () => post<FsList>('/api/fs/list', { path, password, page: 1, per_page: 0 }),
    enabled,
    retry: false,
  });
}

export function useDirs(path: string) {
  return useQuery<{ name: string }[], ApiError>({
    queryKey: ['dirs', path],
    queryFn: () => post<{ name: string }[]>('/api/fs/dirs', { path }),
    retry: false,
  });
}

/** The meta password error (the folder needs a password, or the one given is wrong). */
export function isPasswordError(err: unknown): boolean {
  return err instanceof ApiError && err.code === 403 && /password/i.test(err.message);
}

export const fsApi = {
  mkdir: (path: string) => post('/api/fs/mkdir', { path }),
  rename: (path: string, name: string) => post('/api/fs/rename', { path, name }),
  /** Across storages the work becomes tasks, listed in the answer. */
  move: (src_dir: string, dst_dir: string, names: string[]) => post<TransferReply | null>('/api/fs/move', { src_dir, dst_dir, names }),
  copy: (src_dir: string, dst_dir: string, names: string[]) => post<TransferReply | null>('/api/fs/copy', { src_dir, dst_dir, names }),
  remove: (dir: string, names: string[]) => post('/api/fs/remove', { dir, names }),
};
