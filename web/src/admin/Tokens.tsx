import { Alert, Badge, Button, Code, CopyButton, Group, Modal, NumberInput, Select, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { get, post } from '../api/client';
import type { ApiToken, Page } from '../api/types';
import { formatDate } from '../components/format';
import { useI18n } from '../i18n';

function CreateToken({ onClose, onCreated }: { onClose(): void; onCreated(token: string): void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<string>('read');
  const [days, setDays] = useState<number | string>('');
  const [prefix, setPrefix] = useState('/');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await post<ApiToken & { token: string }>('/api/me/tokens/create', { name, scope, path_prefix: prefix, ...(days === '' ? {} : { expires_in_days: Number(days) }) });
      onCreated(r.token);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened onClose={onClose} title={t('createToken')}>
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <TextInput label={t('tokenName')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus name="token-name" />
          <Select label={t('scope')} value={scope} onChange={(v) => setScope(v ?? 'read')} allowDeselect={false} data={['read', 'write', 'admin']} comboboxProps={{ withinPortal: true }} />
          <NumberInput label={t('expiresInDays')} value={days} onChange={setDays} min={1} max={36500} name="token-days" />
          <TextInput label={t('pathPrefix')} value={prefix} onChange={(e) => setPrefix(e.currentTarget.value)} />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {t('create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function Tokens({ admin }: { admin: boolean }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const [all, setAll] = useState(false);
  const url = all ? '/api/admin/token/list' : '/api/me/tokens';
  const list = useQuery({ queryKey: ['tokens', url], queryFn: () => get<Page<ApiToken>>(url) });
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState('');
  const [error, setError] = useState('');
  const revoke = async (tok: ApiToken) => {
    if (!window.confirm(t('confirmRevoke', { name: tok.name }))) return;
    setError('');
    try {
      await post(all ? '/api/admin/token/revoke' : '/api/me/tokens/revoke', { id: tok.id });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await qc.invalidateQueries({ queryKey: ['tokens'] });
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Text fw={600}>{t('tokens')}</Text>
          {admin && <Switch label={t('allTokens')} checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />}
        </Group>
        <Button onClick={() => setCreating(true)}>{t('createToken')}</Button>
      </Group>
      {shown && (
        <Alert color="teal" title={t('tokenShownOnce')} withCloseButton onClose={() => setShown('')} data-testid="new-token">
          <Group gap="xs" wrap="nowrap">
            <Code style={{ wordBreak: 'break-all' }} data-testid="new-token-value">
              {shown}
            </Code>
            <CopyButton value={shown}>{({ copied, copy }) => <Button size="compact-xs" onClick={copy}>{copied ? t('linkCopied') : t('copy')}</Button>}</CopyButton>
          </Group>
        </Alert>
      )}
      {(error || list.isError) && (
        <Alert color="red" role="alert">
          {error || list.error?.message}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={640}>
        <Table striped verticalSpacing="xs" data-testid="token-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('name')}</Table.Th>
              <Table.Th>{t('scope')}</Table.Th>
              <Table.Th>{t('pathPrefix')}</Table.Th>
              <Table.Th>{t('expires')}</Table.Th>
              <Table.Th>{t('lastUsed')}</Table.Th>
              <Table.Th>{t('actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.content.map((tok) => (
              <Table.Tr key={tok.id} data-testid="token-row" data-name={tok.name}>
                <Table.Td>
                  {tok.name} <Code>{tok.prefix}…</Code> {tok.username && <Text span size="xs" c="dimmed">({tok.username})</Text>}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light">{tok.scope}</Badge>
                </Table.Td>
                <Table.Td>{tok.path_prefix}</Table.Td>
                <Table.Td>{tok.expires_at ? formatDate(tok.expires_at, lang) : t('never')}</Table.Td>
                <Table.Td>{formatDate(tok.last_used_at, lang) || '—'}</Table.Td>
                <Table.Td>
                  {tok.revoked_at ? (
                    <Badge color="gray" data-testid="token-revoked">
                      {t('revoked')}
                    </Badge>
                  ) : (
                    <Button size="compact-sm" color="red" variant="light" onClick={() => void revoke(tok)}>
                      {t('revoke')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {creating && (
        <CreateToken
          onClose={() => setCreating(false)}
          onCreated={(tok) => {
            setCreating(false);
            setShown(tok);
            void qc.invalidateQueries({ queryKey: ['tokens'] });
          }}
        />
      )}
    </Stack>
  );
}
