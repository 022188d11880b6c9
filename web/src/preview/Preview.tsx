import { Alert, Button, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import { downloadUrl, proxyUrl } from '../api/client';
import type { FsGet } from '../api/types';
import { copyText } from '../components/clipboard';
import { formatDate, formatSize } from '../components/format';
import { Markdown } from '../components/Markdown';
import { useI18n } from '../i18n';
import { Gallery } from './Gallery';
import { isCode } from './languages';

const TextPreview = lazy(() => import('./TextPreview'));

function Body({ path, item, password }: { path: string; item: FsGet; password: string }) {
  const { t } = useI18n();
  const url = proxyUrl(path, item.sign);
  // Code first: some code extensions (.ts) are also listed as video types.
  if (isCode(item.name)) return <TextBody url={url} item={item} />;
  if (item.type === 5) return <Gallery path={path} sign={item.sign} password={password} />;
  if (item.type === 2) return <video controls preload="metadata" src={url} style={{ width: '100%', maxHeight: '70vh' }} data-testid="video-preview" />;
  if (item.type === 3) return <audio controls preload="metadata" src={url} style={{ width: '100%' }} data-testid="audio-preview" />;
  if (/\.pdf$/i.test(item.name)) return <iframe title={item.name} src={url} style={{ width: '100%', height: '75vh', border: 0 }} data-testid="pdf-preview" />;
  if (item.type === 4 || /\.(md|markdown|txt|log|csv)$/i.test(item.name)) return <TextBody url={url} item={item} />;
  return <Alert>{t('noPreview')}</Alert>;
}

function TextBody({ url, item }: { url: string; item: FsGet }) {
  return (
    <Suspense fallback={<Skeleton height={240} />}>
      <TextPreview url={url} name={item.name} size={item.size} />
    </Suspense>
  );
}

export function Preview({ path, item, password }: { path: string; item: FsGet; password: string }) {
  const { t, lang } = useI18n();
  const [copied, setCopied] = useState('');
  const link = `${window.location.origin}${downloadUrl(path, item.sign)}`;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <div style={{ minWidth: 0 }}>
          <Title order={3} style={{ wordBreak: 'break-all' }}>
            {item.name}
          </Title>
          <Text size="sm" c="dimmed">
            {formatSize(item.size)} · {formatDate(item.modified, lang)}
          </Text>
        </div>
        <Group gap="xs">
          <Button component="a" href={downloadUrl(path, item.sign)} download={item.name}>
            {t('download')}
          </Button>
          <Button
            variant="default"
            onClick={() => {
              copyText(link).then(
                () => setCopied(t('linkCopied')),
                (err: unknown) => setCopied(String(err)),
              );
            }}
          >
            {t('copyLink')}
          </Button>
          <Button variant="default" component="a" href={url(path, item)} target="_blank" rel="noopener">
            {t('openRaw')}
          </Button>
        </Group>
      </Group>
      {copied && (
        <Text size="sm" c="teal" role="status">
          {copied}
        </Text>
      )}
      {item.header && <Markdown source={item.header} />}
      <Paper withBorder p="sm">
        <Body path={path} item={item} password={password} />
      </Paper>
    </Stack>
  );
}

function url(path: string, item: FsGet): string {
  return proxyUrl(path, item.sign);
}
