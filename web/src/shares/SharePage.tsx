import { Alert, Anchor, Button, Group, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { ApiError, encodePath } from '../api/client';
import { useFsGet, useFsList } from '../api/fs';
import { SHARE_PREFIX } from '../api/shares';
import type { FsObject } from '../api/types';
import { PathBreadcrumbs } from '../browse/Breadcrumbs';
import { PasswordPrompt } from '../browse/Browser';
import { FileIcon } from '../browse/icons';
import { usePathPassword } from '../browse/passwords';
import { Markdown } from '../components/Markdown';
import { formatDate, formatSize } from '../components/format';
import { useI18n } from '../i18n';
import { hrefFor, navigate } from '../router';

/** `/@s/<id>/<inner>` → the share id and the path inside it ('' at its root). */
export function parseSharePath(path: string): { id: string; inner: string } {
  const rest = path.slice(SHARE_PREFIX.length + 1).replace(/\/+$/, '');
  const i = rest.indexOf('/');
  return i < 0 ? { id: rest, inner: '' } : { id: rest.slice(0, i), inner: rest.slice(i) };
}

/** The download door of a share (a folder, or a share root of several items, comes as a zip). */
function sdUrl(id: string, inner: string, pwd: string): string {
  return `/sd/${encodeURIComponent(id)}${encodePath(inner)}${pwd ? `?pwd=${encodeURIComponent(pwd)}` : ''}`;
}

const isWrongCode = (err: unknown) => err instanceof ApiError && err.code === 403 && /share code/i.test(err.message);

function ShareError({ err }: { err: ApiError }) {
  const { t } = useI18n();
  const title = err.code === 404 ? t('shareNotFound') : err.code === 410 ? t('shareGone') : t('error');
  return (
    <Alert color={err.code === 410 ? 'orange' : 'red'} title={title} role="alert" data-testid="share-error" data-code={err.code}>
      {err.message}
    </Alert>
  );
}

function Entries({ base, dir, items, pwd, shareId }: { base: string; dir: string; items: FsObject[]; pwd: string; shareId: string }) {
  const { t, lang } = useI18n();
  const sorted = [...items].sort((a, b) => (a.is_dir !== b.is_dir ? (a.is_dir ? -1 : 1) : a.name.localeCompare(b.name, undefined, { numeric: true })));
  if (sorted.length === 0) return <Text p="md" c="dimmed">{t('emptyFolder')}</Text>;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table highlightOnHover verticalSpacing="xs" data-testid="share-entries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('name')}</Table.Th>
            <Table.Th>{t('size')}</Table.Th>
            <Table.Th>{t('modified')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((o) => {
            const to = `${dir}/${o.name}`;
            return (
              <Table.Tr key={o.name} data-testid="share-entry" data-name={o.name}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <FileIcon item={o} size={20} />
                    <Anchor
                      href={hrefFor(to)}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(to);
                      }}
                    >
                      {o.name}
                    </Anchor>
                  </Group>
                </Table.Td>
                <Table.Td>{o.is_dir ? '' : formatSize(o.size)}</Table.Td>
                <Table.Td>{formatDate(o.modified, lang)}</Table.Td>
                <Table.Td>
                  <Anchor href={sdUrl(shareId, to.slice(base.length), pwd)} download={o.is_dir ? `${o.name}.zip` : o.name} size="sm">
                    {o.is_dir ? t('downloadZip') : t('download')}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The public page of a share: works without login; asks the share's password when it needs one. */
export function SharePage({ path }: { path: string }) {
  const { t, lang } = useI18n();
  const { id, inner } = parseSharePath(path);
  const base = `${SHARE_PREFIX}/${id}`;
  const dir = `${base}${inner}`;
  const [pwd, setPwd] = usePathPassword(base);
  const got = useFsGet(dir, pwd);
  const list = useFsList(dir, pwd, got.data?.is_dir === true);
  const err = got.error ?? list.error;
  let body;
  if (err && isWrongCode(err)) body = <PasswordPrompt wrong={pwd !== ''} needed={t('shareCodeNeeded')} onSubmit={setPwd} />;
  else if (err) body = <ShareError err={err} />;
  else if (!got.data || (got.data.is_dir && !list.data)) body = <Skeleton height={160} aria-busy />;
  else if (!got.data.is_dir) {
    const f = got.data;
    body = (
      <Paper withBorder p="lg" data-testid="share-file">
        <Stack>
          <Group gap="sm" wrap="nowrap">
            <FileIcon item={f} size={32} />
            <Title order={4} style={{ wordBreak: 'break-all' }}>
              {f.name}
            </Title>
          </Group>
          <Text size="sm" c="dimmed">
            {formatSize(f.size)} · {formatDate(f.modified, lang)}
          </Text>
          <Group>
            <Button component="a" href={f.raw_url} download={f.name} data-testid="share-download">
              {t('download')}
            </Button>
          </Group>
        </Stack>
      </Paper>
    );
  } else {
    const l = list.data;
    body = (
      <Stack gap="sm">
        {l?.header && <Markdown source={l.header} testId="share-header" />}
        <Group justify="space-between">
          <Text size="sm" c="dimmed" data-testid="entry-count">
            {t('entries', { n: l?.content?.length ?? 0 })}
          </Text>
          <Button component="a" href={sdUrl(id, inner, pwd)} download variant="light" size="xs" data-testid="share-zip">
            {t('downloadAllZip')}
          </Button>
        </Group>
        <Paper withBorder>
          <Entries base={base} dir={dir} items={l?.content ?? []} pwd={pwd} shareId={id} />
        </Paper>
        {l?.readme && (
          <Paper withBorder p="md">
            <Markdown source={l.readme} testId="share-readme" />
          </Paper>
        )}
      </Stack>
    );
  }
  return (
    <Stack gap="sm" data-testid="share-page">
      <PathBreadcrumbs path={dir} base={base} rootLabel={`${t('share')} ${id}`} />
      {body}
    </Stack>
  );
}
