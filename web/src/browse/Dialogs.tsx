import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { joinPath } from '../api/client';
import { fsApi } from '../api/fs';
import { useMe } from '../api/auth';
import { can, Perm } from '../api/types';
import { useT } from '../i18n';
import { ShareDialog } from '../shares/ShareDialog';
import { FolderPicker } from './FolderPicker';

export type Dialog =
  | { kind: 'mkdir' }
  | { kind: 'rename'; name: string }
  | { kind: 'delete'; names: string[] }
  | { kind: 'move' | 'copy'; names: string[] }
  | { kind: 'share'; name: string };

/** A small form in a modal that shows the API's error in words and stays open on failure. */
function FormModal(props: { title: string; label?: string; initial?: string; message?: string; submit: string; danger?: boolean; onClose(): void; run(value: string): Promise<void> }) {
  const t = useT();
  const [value, setValue] = useState(props.initial ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await props.run(value);
      props.onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened onClose={props.onClose} title={props.title}>
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          {props.message && <Text>{props.message}</Text>}
          {props.label !== undefined && <TextInput label={props.label} value={value} onChange={(e) => setValue(e.currentTarget.value)} required data-autofocus />}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={busy} color={props.danger ? 'red' : undefined}>
              {props.submit}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function Dialogs({ dir, dialog, onClose, onTasks }: { dir: string; dialog: Dialog | null; onClose(): void; onTasks?(count: number): void }) {
  const t = useT();
  const qc = useQueryClient();
  const me = useMe().data;
  const refresh = async (...dirs: string[]) => {
    for (const d of dirs) await qc.invalidateQueries({ queryKey: ['list', d] });
    await qc.invalidateQueries({ queryKey: ['dirs'] });
  };
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'mkdir':
      return (
        <FormModal title={t('newFolder')} label={t('folderName')} submit={t('create')} onClose={onClose} run={async (name) => {
          await fsApi.mkdir(joinPath(dir, name));
          await refresh(dir);
        }} />
      );
    case 'rename':
      return (
        <FormModal title={`${t('rename')}: ${dialog.name}`} label={t('newName')} initial={dialog.name} submit={t('rename')} onClose={onClose} run={async (name) => {
          await fsApi.rename(joinPath(dir, dialog.name), name);
          await refresh(dir);
        }} />
      );
    case 'delete': {
      const what = dialog.names.length === 1 ? `"${dialog.names[0]}"` : t('selected', { n: dialog.names.length });
      return (
        <FormModal title={t('delete')} message={t('confirmDelete', { what })} submit={t('delete')} danger onClose={onClose} run={async () => {
          await fsApi.remove(dir, dialog.names);
          await refresh(dir);
        }} />
      );
    }
    case 'share':
      return <ShareDialog path={joinPath(dir, dialog.name)} customId={can(me, Perm.ShareCustomId)} onClose={onClose} />;
    case 'move':
    case 'copy': {
      const op = dialog.kind;
      return (
        <FolderPicker title={`${t(op)}: ${dialog.names.join(', ')}`} confirmLabel={t(op === 'move' ? 'moveHere' : 'copyHere')} start={dir} onClose={onClose} onPick={async (dst) => {
          const reply = await fsApi[op](dir, dst, dialog.names);
          await refresh(dir, dst);
          const started = reply?.tasks?.length ?? 0;
          if (started > 0) {
            void qc.invalidateQueries({ queryKey: ['tasks'] });
            onTasks?.(started);
          }
        }} />
      );
    }
  }
}
