import { Alert, Badge, Button, Checkbox, Group, Modal, PasswordInput, SimpleGrid, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { get, post } from '../api/client';
import { type Page, Perm, Role, type UserRow } from '../api/types';
import { useT } from '../i18n';

const PERMS = Object.entries(Perm) as [string, number][];

function UserForm({ user, onClose }: { user: UserRow | null; onClose(): void }) {
  const t = useT();
  const qc = useQueryClient();
  const [v, setV] = useState({ username: user?.username ?? '', password: '', base_path: user?.base_path ?? '/', permission: user?.permission ?? 0, disabled: user?.disabled ?? false });
  const [error, setError] = useState('');
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    try {
      await post(user ? '/api/admin/user/update' : '/api/admin/user/create', { ...v, ...(user ? { id: user.id, role: user.role } : { role: Role.General }) });
      await qc.invalidateQueries({ queryKey: ['users'] });
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <Modal opened onClose={onClose} title={user ? `${t('edit')}: ${user.username}` : t('addUser')} size="lg">
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <TextInput label={t('username')} required value={v.username} onChange={(e) => setV({ ...v, username: e.currentTarget.value })} />
          <PasswordInput label={t('password')} required={!user} value={v.password} onChange={(e) => setV({ ...v, password: e.currentTarget.value })} autoComplete="new-password" />
          <TextInput label={t('basePath')} value={v.base_path} onChange={(e) => setV({ ...v, base_path: e.currentTarget.value })} />
          <Text size="sm" fw={500}>
            {t('permissions')}
          </Text>
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            {PERMS.map(([name, bit]) => (
              <Checkbox key={name} label={name} checked={(v.permission & bit) === bit} onChange={(e) => setV({ ...v, permission: e.currentTarget.checked ? v.permission | bit : v.permission & ~bit })} />
            ))}
          </SimpleGrid>
          <Switch label={t('disabled')} checked={v.disabled} onChange={(e) => setV({ ...v, disabled: e.currentTarget.checked })} />
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

export function Users() {
  const t = useT();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['users'], queryFn: () => get<Page<UserRow>>('/api/admin/user/list') });
  const [editing, setEditing] = useState<UserRow | null | 'new'>(null);
  const [error, setError] = useState('');
  const remove = async (u: UserRow) => {
    if (!window.confirm(t('confirmDelete', { what: u.username }))) return;
    try {
      await post(`/api/admin/user/delete?id=${u.id}`, {});
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await qc.invalidateQueries({ queryKey: ['users'] });
  };
  const roleName = (r: number) => (r === Role.Admin ? 'admin' : r === Role.Guest ? t('guest') : 'user');
  return (
    <Stack>
      <Group justify="space-between">
        <Text fw={600}>{t('users')}</Text>
        <Button onClick={() => setEditing('new')}>{t('addUser')}</Button>
      </Group>
      {(error || list.isError) && <Alert color="red" role="alert">{error || list.error?.message}</Alert>}
      <Table.ScrollContainer minWidth={560}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('username')}</Table.Th>
              <Table.Th>{t('role')}</Table.Th>
              <Table.Th>{t('basePath')}</Table.Th>
              <Table.Th>{t('state')}</Table.Th>
              <Table.Th>{t('actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.content.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.username}</Table.Td>
                <Table.Td><Badge variant="light">{roleName(u.role)}</Badge></Table.Td>
                <Table.Td>{u.base_path}</Table.Td>
                <Table.Td>{u.disabled ? t('disabled') : t('enabled')}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Button size="compact-sm" variant="default" onClick={() => setEditing(u)}>{t('edit')}</Button>
                    {u.role === Role.General && <Button size="compact-sm" color="red" variant="light" onClick={() => void remove(u)}>{t('delete')}</Button>}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && <UserForm user={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
