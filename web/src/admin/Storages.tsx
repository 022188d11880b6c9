import { Alert, Badge, Button, Group, Menu, Table, Text, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api/client';
import type { Page, Storage } from '../api/types';
import { formatDate } from '../components/format';
import { useI18n } from '../i18n';
import { StorageForm } from './StorageForm';

const STATE_COLOR: Record<string, string> = { ready: 'teal', degraded: 'yellow', error: 'red', needs_reauth: 'orange', disabled: 'gray', pending: 'blue' };

export function Storages() {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  // Live state: polled while the page is open.
  const list = useQuery({ queryKey: ['storages'], queryFn: () => get<Page<Storage>>('/api/admin/storage/list'), refetchInterval: 3000 });
  const [editing, setEditing] = useState<Storage | null | 'new'>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const act = async (what: string, s: Storage) => {
    setNotice(null);
    try {
      await post(`/api/admin/storage/${what}?id=${s.id}`, { id: s.id });
      if (what === 'delete') setNotice({ text: `${t('delete')}: ${s.mount_path}`, error: false });
    } catch (err) {
      setNotice({ text: `${s.mount_path}: ${err instanceof Error ? err.message : String(err)}`, error: true });
    }
    await qc.invalidateQueries({ queryKey: ['storages'] });
  };

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text fw={600}>{t('storages')}</Text>
        <Button onClick={() => setEditing('new')}>{t('addStorage')}</Button>
      </Group>
      {notice && (
        <Alert color={notice.error ? 'red' : 'yellow'} withCloseButton onClose={() => setNotice(null)} mb="sm" role="alert">
          {notice.text}
        </Alert>
      )}
      {list.isError && <Alert color="red">{list.error.message}</Alert>}
      <Table.ScrollContainer minWidth={720}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="storage-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('mountPath')}</Table.Th>
              <Table.Th>{t('driver')}</Table.Th>
              <Table.Th>{t('state')}</Table.Th>
              <Table.Th>{t('lastError')}</Table.Th>
              <Table.Th>{t('lastRefresh')}</Table.Th>
              <Table.Th>{t('actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.content.map((s) => (
              <Table.Tr key={s.id} data-testid="storage-row" data-mount={s.mount_path}>
                <Table.Td>{s.mount_path}</Table.Td>
                <Table.Td>{s.driver}</Table.Td>
                <Table.Td>
                  <Badge color={STATE_COLOR[s.state] ?? 'gray'} variant="light" data-testid="storage-state">
                    {s.state}
                  </Badge>
                </Table.Td>
                <Table.Td maw={320}>
                  {s.health?.error ? (
                    <Tooltip label={s.health.error} multiline w={360}>
                      <Text size="sm" c="red" lineClamp={2} data-testid="storage-error">
                        {s.health.error}
                      </Text>
                    </Tooltip>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDate(s.health?.since ?? s.modified, lang)}</Text>
                  {s.health?.next_retry_at && (
                    <Text size="xs" c="dimmed">
                      {t('nextRetry')}: {formatDate(s.health.next_retry_at, lang)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-sm" variant="default" onClick={() => setEditing(s)}>
                      {t('edit')}
                    </Button>
                    {!s.disabled && s.state !== 'ready' && (
                      <Button size="compact-sm" variant="light" onClick={() => void act('retry', s)}>
                        {t('retryNow')}
                      </Button>
                    )}
                    <Menu position="bottom-end">
                      <Menu.Target>
                        <Button size="compact-sm" variant="subtle" aria-label={`${t('actions')}: ${s.mount_path}`}>
                          ⋯
                        </Button>
                      </Menu.Target>
                      <Menu.Dropdown>
                        <Menu.Item onClick={() => void act(s.disabled ? 'enable' : 'disable', s)}>{s.disabled ? t('enable') : t('disable')}</Menu.Item>
                        <Menu.Item color="red" onClick={() => window.confirm(t('confirmDelete', { what: s.mount_path })) && void act('delete', s)}>
                          {t('delete')}
                        </Menu.Item>
                      </Menu.Dropdown>
                    </Menu>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && (
        <StorageForm
          editing={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(warning) => {
            if (warning) setNotice({ text: warning, error: true });
            void qc.invalidateQueries({ queryKey: ['storages'] });
          }}
        />
      )}
    </>
  );
}
