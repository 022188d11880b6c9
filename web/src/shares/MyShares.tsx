import { Alert, Anchor, Badge, Button, Code, CopyButton, Group, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type Share, shareApi, shareLink, useShares } from '../api/shares';
import { errorText, formatDate } from '../components/format';
import { useI18n } from '../i18n';

function isExpired(s: Share): boolean {
  return s.expires !== null && Date.parse(s.expires) <= Date.now();
}

/** The shares the user made (all shares for the administrator): link, files, accesses, expiry; enable, disable, delete. */
export function MyShares() {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const list = useShares();
  const [error, setError] = useState('');
  const act = async (run: () => Promise<unknown>) => {
    setError('');
    try {
      await run();
    } catch (err) {
      setError(errorText(err));
    }
    await qc.invalidateQueries({ queryKey: ['shares'] });
  };
  const remove = (s: Share) => {
    if (!window.confirm(t('confirmDeleteShare', { id: s.id }))) return;
    void act(() => shareApi.remove(s.id));
  };
  const rows = list.data?.content ?? [];
  return (
    <Stack>
      <Text fw={600}>{t('myShares')}</Text>
      {(error || list.isError) && (
        <Alert color="red" role="alert">
          {error || list.error?.message}
        </Alert>
      )}
      {list.isSuccess && rows.length === 0 && <Text c="dimmed">{t('noShares')}</Text>}
      <Table.ScrollContainer minWidth={760}>
        <Table striped verticalSpacing="xs" data-testid="share-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('shareLink')}</Table.Th>
              <Table.Th>{t('files')}</Table.Th>
              <Table.Th>{t('accessed')}</Table.Th>
              <Table.Th>{t('expires')}</Table.Th>
              <Table.Th>{t('status')}</Table.Th>
              <Table.Th>{t('actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((s) => {
              const link = shareLink(s.id);
              return (
                <Table.Tr key={s.id} data-testid="share-row" data-id={s.id}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Anchor href={link} target="_blank" rel="noreferrer" data-testid="share-row-link">
                        {s.id}
                      </Anchor>
                      <CopyButton value={link}>{({ copied, copy }) => <Button size="compact-xs" variant="subtle" onClick={copy}>{copied ? t('linkCopied') : t('copy')}</Button>}</CopyButton>
                    </Group>
                    {s.remark && (
                      <Text size="xs" c="dimmed">
                        {s.remark}
                      </Text>
                    )}
                    {s.creator && (
                      <Text size="xs" c="dimmed">
                        {t('by', { name: s.creator })}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {s.files.map((f) => (
                      <Code key={f} display="block" data-testid="share-file">
                        {f}
                      </Code>
                    ))}
                  </Table.Td>
                  <Table.Td data-testid="share-accessed">
                    {s.accessed} / {s.max_accessed > 0 ? s.max_accessed : '∞'}
                  </Table.Td>
                  <Table.Td>{s.expires ? formatDate(s.expires, lang) : t('never')}</Table.Td>
                  <Table.Td>
                    {s.disabled ? (
                      <Badge color="gray" data-testid="share-status">
                        {t('disabled')}
                      </Badge>
                    ) : isExpired(s) ? (
                      <Badge color="orange" data-testid="share-status">
                        {t('expired')}
                      </Badge>
                    ) : (
                      <Badge color="teal" data-testid="share-status">
                        {t('enabled')}
                      </Badge>
                    )}
                    {s.pwd && (
                      <Badge variant="light" ml={4}>
                        {t('password')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Button size="compact-sm" variant="light" onClick={() => void act(() => (s.disabled ? shareApi.enable(s.id) : shareApi.disable(s.id)))} data-testid="share-toggle">
                        {s.disabled ? t('enable') : t('disable')}
                      </Button>
                      <Button size="compact-sm" color="red" variant="light" onClick={() => remove(s)} data-testid="share-delete">
                        {t('delete')}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
