import { ActionIcon, Badge, Button, Group, Paper, Progress, ScrollArea, Stack, Text } from '@mantine/core';
import { formatSize } from '../components/format';
import { useT } from '../i18n';
import { useUploadQueue, useUploads } from './context';
import type { UploadItem } from './queue';

function Row({ item }: { item: UploadItem }) {
  const t = useT();
  const q = useUploadQueue();
  const pct = item.total > 0 ? Math.round((item.loaded / item.total) * 100) : item.status === 'done' ? 100 : 0;
  const color = item.status === 'failed' ? 'red' : item.status === 'done' ? 'teal' : item.status === 'cancelled' ? 'gray' : 'blue';
  const label: Record<UploadItem['status'], string> = { waiting: t('waiting'), uploading: `${pct}%`, done: t('done'), failed: t('failed'), cancelled: t('cancelled') };
  return (
    <Stack gap={2} data-testid="upload-item" data-status={item.status} data-progress={pct}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" truncate="end" style={{ flex: 1, minWidth: 0 }} title={item.path}>
          {item.path}
        </Text>
        <Text size="xs" c="dimmed" style={{ flex: 'none' }}>
          {item.status === 'uploading' && item.speed > 0 ? `${formatSize(item.speed)}/s · ` : ''}
          {formatSize(item.total)}
        </Text>
        <Badge size="sm" color={color} variant="light" style={{ flex: 'none' }}>
          {label[item.status]}
        </Badge>
        {(item.status === 'waiting' || item.status === 'uploading') && (
          <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`${t('cancel')} ${item.path}`} onClick={() => q.cancel(item.id)}>
            ✕
          </ActionIcon>
        )}
        {(item.status === 'failed' || item.status === 'cancelled') && (
          <ActionIcon size="sm" variant="subtle" aria-label={`${t('retry')} ${item.path}`} onClick={() => q.retry(item.id)}>
            ↻
          </ActionIcon>
        )}
      </Group>
      <Progress value={pct} color={color} size="sm" aria-label={`${item.path} ${pct}%`} />
      {item.error && (
        <Text size="xs" c="red" role="alert">
          {item.error}
        </Text>
      )}
    </Stack>
  );
}

/** The upload queue, docked at the bottom right while it has items. */
export function UploadPanel() {
  const items = useUploads();
  const q = useUploadQueue();
  const t = useT();
  if (items.length === 0) return null;
  const done = items.filter((i) => i.status === 'done').length;
  return (
    <Paper withBorder shadow="md" p="sm" pos="fixed" bottom={12} right={12} w={420} maw="calc(100vw - 24px)" style={{ zIndex: 150 }} data-testid="upload-panel">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>
          {t('uploads')} · {done}/{items.length}
        </Text>
        <Button size="compact-xs" variant="subtle" onClick={() => q.clearFinished()}>
          {t('clearDone')}
        </Button>
      </Group>
      <ScrollArea.Autosize mah={260}>
        <Stack gap="xs">
          {items.map((i) => (
            <Row key={i.id} item={i} />
          ))}
        </Stack>
      </ScrollArea.Autosize>
    </Paper>
  );
}
