import { Alert, Button, Group, Loader, Modal, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { joinPath, parentOf } from '../api/client';
import { useDirs } from '../api/fs';
import { useT } from '../i18n';

interface Props {
  title: string;
  confirmLabel: string;
  start: string;
  onClose(): void;
  onPick(dir: string): Promise<void>;
}

/** A modal that walks folders with /api/fs/dirs and returns the chosen one. */
export function FolderPicker({ title, confirmLabel, start, onClose, onPick }: Props) {
  const t = useT();
  const [dir, setDir] = useState(start);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const dirs = useDirs(dir);
  async function pick() {
    setBusy(true);
    setError('');
    try {
      await onPick(dir);
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened onClose={onClose} title={title}>
      <Stack>
        <Text size="sm" c="dimmed" data-testid="picker-path">
          {dir}
        </Text>
        <ScrollArea.Autosize mah={300}>
          {dir !== '/' && <NavLink label={`⬆ ${t('up')}`} onClick={() => setDir(parentOf(dir))} />}
          {dirs.isPending && <Loader size="sm" />}
          {dirs.isError && <Alert color="red">{dirs.error.message}</Alert>}
          {dirs.data?.map((d) => (
            <NavLink key={d.name} label={`📁 ${d.name}`} onClick={() => setDir(joinPath(dir, d.name))} data-testid="picker-dir" />
          ))}
        </ScrollArea.Autosize>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button onClick={() => void pick()} loading={busy}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
