import { Alert, Paper, Skeleton, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type DragEvent, useDeferredValue, useMemo, useState } from 'react';
import { joinPath } from '../api/client';
import { useMe } from '../api/auth';
import type { FsList, FsObject } from '../api/types';
import { Markdown } from '../components/Markdown';
import { formatDate } from '../components/format';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { fromDrop, type Picked } from '../upload/collect';
import { useUploadQueue } from '../upload/context';
import { type Dialog, Dialogs } from './Dialogs';
import { EntryMenu } from './EntryMenu';
import { FileGrid } from './FileGrid';
import { FileList } from './FileList';
import { Toolbar, type ViewState } from './Toolbar';
import { TaskNotice } from '../tasks/TaskNotice';

const VIEW_KEY = 'filebridge.view';
const LIST_HEIGHT = 'max(320px, calc(100dvh - 200px))';

function sortItems(items: FsObject[], s: ViewState): FsObject[] {
  const q = s.filter.trim().toLowerCase();
  const out = q ? items.filter((i) => i.name.toLowerCase().includes(q)) : [...items];
  const dir = s.desc ? -1 : 1;
  out.sort((a, b) => {
    if (a.is_dir !== b.is_dir) return a.is_dir ? -1 : 1;
    if (s.sort === 'size') return (a.size - b.size) * dir;
    if (s.sort === 'modified') return (Date.parse(a.modified) - Date.parse(b.modified)) * dir;
    return a.name.localeCompare(b.name, undefined, { numeric: true }) * dir;
  });
  return out;
}

function initialView(): ViewState {
  const view = localStorage.getItem(VIEW_KEY) === 'grid' ? 'grid' : 'list';
  return { filter: '', sort: 'name', desc: false, view };
}

export function FolderSkeleton() {
  return (
    <Stack gap={0} style={{ height: LIST_HEIGHT }} aria-busy>
      {Array.from({ length: 8 }, (_, i) => (
        <Skeleton key={i} height={32} my={4} />
      ))}
    </Stack>
  );
}

export function Folder({ dir, list }: { dir: string; list: FsList | undefined }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const me = useMe().data;
  const queue = useUploadQueue();
  const [state, setState] = useState(initialView);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [tasksStarted, setTasksStarted] = useState(0);
  const deferred = useDeferredValue(state);
  const items = useMemo(() => sortItems(list?.content ?? [], deferred), [list, deferred]);

  const patch = (p: Partial<ViewState>) => {
    if (p.view) localStorage.setItem(VIEW_KEY, p.view);
    setState((s) => ({ ...s, ...p }));
  };
  const toggle = (name: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  const upload = (files: Picked[]) => queue.add(files.map((f) => ({ file: f.file, path: joinPath(dir, f.rel) })));
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!list?.write) return;
    try {
      upload(await fromDrop(e.dataTransfer));
    } catch (err) {
      setNotice({ text: String(err), error: true });
    }
  };
  const menu = (o: FsObject) => <EntryMenu dir={dir} item={o} me={me} onDialog={setDialog} onNotice={(text, error = false) => setNotice({ text, error })} />;
  const props = { items, selected, onToggle: toggle, onOpen: (o: FsObject) => navigate(joinPath(dir, o.name)), menu, height: LIST_HEIGHT };

  return (
    <Stack gap="sm" onDragOver={(e) => { if (list?.write) { e.preventDefault(); setDragging(true); } }} onDragLeave={() => setDragging(false)} onDrop={(e) => void onDrop(e)} className={dragging ? 'fb-drop' : undefined}>
      {list?.stale && (
        <Alert color="yellow" title="⚠" data-testid="stale-banner">
          {t('staleListing')} {list.stale_since ? `(${formatDate(list.stale_since, lang)})` : ''} {list.stale_reason ? t('staleReason', { reason: list.stale_reason }) : ''}
        </Alert>
      )}
      {list?.header && <Markdown source={list.header} testId="folder-header" />}
      <Toolbar
        state={state}
        onState={patch}
        canWrite={list?.write ?? false}
        selectedCount={selected.size}
        onMkdir={() => setDialog({ kind: 'mkdir' })}
        onUpload={upload}
        onBulk={(kind) => setDialog(kind === 'delete' ? { kind, names: [...selected] } : { kind, names: [...selected] })}
        onRefresh={() => void qc.invalidateQueries({ queryKey: ['list', dir] })}
      />
      {notice && (
        <Alert color={notice.error ? 'red' : 'teal'} withCloseButton onClose={() => setNotice(null)} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </Alert>
      )}
      {tasksStarted > 0 && <TaskNotice count={tasksStarted} onClose={() => setTasksStarted(0)} />}
      <Paper withBorder>
        {!list ? (
          <FolderSkeleton />
        ) : items.length === 0 ? (
          <Text p="md" c="dimmed" style={{ height: LIST_HEIGHT }}>
            {state.filter ? t('noMatch') : t('emptyFolder')}
          </Text>
        ) : state.view === 'grid' ? (
          <FileGrid {...props} dir={dir} />
        ) : (
          <FileList {...props} />
        )}
      </Paper>
      <Text size="xs" c="dimmed" data-testid="entry-count">
        {t('entries', { n: items.length })}
        {list?.write ? ` · ${t('dropHere', { dir })}` : ''}
      </Text>
      {list?.readme && (
        <Paper withBorder p="md">
          <Markdown source={list.readme} testId="folder-readme" />
        </Paper>
      )}
      <Dialogs
        dir={dir}
        dialog={dialog}
        onTasks={setTasksStarted}
        onClose={() => {
          setDialog(null);
          setSelected(new Set());
        }}
      />
    </Stack>
  );
}
