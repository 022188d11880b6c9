import { Alert, Button, Group, Modal, SimpleGrid, Stack, Switch, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { get, post } from '../api/client';
import type { MetaRow, Page } from '../api/types';
import { useT } from '../i18n';

const EMPTY: Omit<MetaRow, 'id'> = { path: '/', password: '', p_sub: false, write: false, w_sub: false, hide: '', h_sub: false, readme: '', r_sub: false, header: '', header_sub: false };

function MetaForm({ meta, onClose }: { meta: MetaRow | null; onClose(): void }) {
  const t = useT();
  const qc = useQueryClient();
  const [v, setV] = useState<Omit<MetaRow, 'id'>>(meta ?? EMPTY);
  const [error, setError] = useState('');
  const sw = (key: keyof typeof v, label: string) => <Switch label={label} checked={v[key] === true} onChange={(e) => setV({ ...v, [key]: e.currentTarget.checked })} />;
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    try {
      await post(meta ? '/api/admin/meta/update' : '/api/admin/meta/create', { ...v, ...(meta ? { id: meta.id } : {}) });
      await qc.invalidateQueries({ queryKey: ['metas'] });
      await qc.invalidateQueries({ queryKey: ['list'] });
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <Modal opened onClose={onClose} title={meta ? `${t('edit')}: ${meta.path}` : t('addMeta')} size="lg">
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <TextInput label="Path" required value={v.path} onChange={(e) => setV({ ...v, path: e.currentTarget.value })} />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput label={t('password')} value={v.password} onChange={(e) => setV({ ...v, password: e.currentTarget.value })} />
            {sw('p_sub', t('applySub'))}
            {sw('write', t('write'))}
            {sw('w_sub', t('applySub'))}
          </SimpleGrid>
          <Textarea label={t('hide')} autosize minRows={2} value={v.hide} onChange={(e) => setV({ ...v, hide: e.currentTarget.value })} />
          {sw('h_sub', t('applySub'))}
          <Textarea label={t('header')} autosize minRows={2} value={v.header} onChange={(e) => setV({ ...v, header: e.currentTarget.value })} />
          {sw('header_sub', t('applySub'))}
          <Textarea label={t('readme')} autosize minRows={3} value={v.readme} onChange={(e) => setV({ ...v, readme: e.currentTarget.value })} />
          {sw('r_sub', t('applySub'))}
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('cancel')}</Button>
            <Button type="submit">{t('save')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function Metas() {
  const t = useT();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['metas'], queryFn: () => get<Page<MetaRow>>('/api/admin/meta/list') });
  const [editing, setEditing] = useState<MetaRow | null | 'new'>(null);
  const [error, setError] = useState('');
  const remove = async (m: MetaRow) => {
    if (!window.confirm(t('confirmDelete', { what: m.path }))) return;
    try {
      await post(`/api/admin/meta/delete?id=${m.id}`, {});
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await qc.invalidateQueries({ queryKey: ['metas'] });
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Text fw={600}>{t('metas')}</Text>
        <Button onClick={() => setEditing('new')}>{t('addMeta')}</Button>
      </Group>
      {(error || list.isError) && <Alert color="red" role="alert">{error || list.error?.message}</Alert>}
      <Table.ScrollContainer minWidth={480}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Path</Table.Th>
              <Table.Th>{t('password')}</Table.Th>
              <Table.Th>{t('write')}</Table.Th>
              <Table.Th>{t('actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.content.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{m.path}</Table.Td>
                <Table.Td>{m.password ? '••••' : '—'}</Table.Td>
                <Table.Td>{m.write ? '✓' : '—'}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Button size="compact-sm" variant="default" onClick={() => setEditing(m)}>{t('edit')}</Button>
                    <Button size="compact-sm" color="red" variant="light" onClick={() => void remove(m)}>{t('delete')}</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && <MetaForm meta={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
