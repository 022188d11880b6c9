import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useState, useSyncExternalStore } from 'react';
import { UploadQueue } from './queue';

const Ctx = createContext<UploadQueue | null>(null);

export function UploadProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [queue] = useState(() => {
    const q = new UploadQueue();
    // The file's folder and every folder above it may show new entries.
    q.onStored = (dir) =>
      void qc.invalidateQueries({
        predicate: (query) => {
          const [kind, path] = query.queryKey as [string, string];
          return kind === 'list' && typeof path === 'string' && (dir === path || dir.startsWith(path === '/' ? '/' : `${path}/`));
        },
      });
    return q;
  });
  return <Ctx.Provider value={queue}>{children}</Ctx.Provider>;
}

export function useUploadQueue(): UploadQueue {
  const q = useContext(Ctx);
  if (!q) throw new Error('useUploadQueue outside UploadProvider');
  return q;
}

export function useUploads() {
  const q = useUploadQueue();
  return useSyncExternalStore(q.subscribe, q.getSnapshot);
}
