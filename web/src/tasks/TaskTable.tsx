import { Badge, Button, Checkbox, Group, Progress, Table, Text } from '@mantine/core';
import { type TaskAction, TaskState, isFinal } from '../api/tasks';
import { formatDate, formatSize } from '../components/format';
import { useI18n } from '../i18n';
import type { TaskRow } from './board';
import { kindLabel, stateColor, stateLabel } from './labels';
import { formatDuration } from './speed';

interface Props {
  rows: TaskRow[];
  selected: ReadonlySet<string>;
  showKind: boolean;
  onToggle(id: string): void;
  onToggleAll(on: boolean): void;
  onAction(row: TaskRow, action: TaskAction): void;
}

export function canCancel(t: TaskRow): boolean {
  return !isFinal(t.state) && t.state !== TaskState.Canceling;
}

export function canRetry(t: TaskRow): boolean {
  return t.state === TaskState.Failed || t.state === TaskState.Canceled;
}

/** Shown as a whole number that reaches 100 only when it is 100. */
function percent(p: number): string {
  return `${p >= 100 ? 100 : Math.floor(p)}%`;
}

function RowActions({ row, onAction }: { row: TaskRow; onAction: Props['onAction'] }) {
  const { t } = useI18n();
  return (
    <Group gap={4} wrap="nowrap">
      {canCancel(row) && (
        <Button size="compact-xs" variant="light" color="orange" onClick={() => onAction(row, 'cancel')}>
          {t('cancel')}
        </Button>
      )}
      {canRetry(row) && (
        <Button size="compact-xs" variant="light" onClick={() => onAction(row, 'retry')}>
          {t('retry')}
        </Button>
      )}
      {isFinal(row.state) && (
        <Button size="compact-xs" variant="light" color="red" onClick={() => onAction(row, 'delete')}>
          {t('delete')}
        </Button>
      )}
    </Group>
  );
}

function Row({ row, checked, showKind, onToggle, onAction }: { row: TaskRow; checked: boolean; showKind: boolean; onToggle(): void; onAction: Props['onAction'] }) {
  const { t, lang } = useI18n();
  const running = row.state === TaskState.Running;
  return (
    <Table.Tr data-testid="task-row" data-id={row.id} data-kind={row.kind} data-name={row.name} data-state={row.state} data-progress={row.progress}>
      <Table.Td>
        <Checkbox aria-label={t('selectTask', { name: row.name })} checked={checked} onChange={onToggle} />
      </Table.Td>
      <Table.Td style={{ wordBreak: 'break-word' }}>
        <Text size="sm" data-testid="task-name">
          {row.name}
        </Text>
        {showKind && (
          <Text size="xs" c="dimmed">
            {t(kindLabel(row.kind))}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge color={stateColor(row.state)} variant="light" data-testid="task-state" title={row.status} styles={{ label: { overflow: 'visible' } }}>
          {t(stateLabel(row.state))}
        </Badge>
      </Table.Td>
      <Table.Td miw={140}>
        <Progress value={row.progress} animated={running} striped={running} color={stateColor(row.state)} aria-label={t('progress')} />
        <Text size="xs" c="dimmed" data-testid="task-progress">
          {percent(row.progress)} · {formatSize(row.total_bytes)}
        </Text>
      </Table.Td>
      <Table.Td data-testid="task-speed">{row.rate.speed === null ? '—' : `${formatSize(Math.round(row.rate.speed))}/s`}</Table.Td>
      <Table.Td data-testid="task-eta">{row.rate.eta === null ? '—' : formatDuration(row.rate.eta)}</Table.Td>
      <Table.Td>{row.creator}</Table.Td>
      <Table.Td>{formatDate(row.start_time, lang) || '—'}</Table.Td>
      <Table.Td>{formatDate(row.end_time, lang) || '—'}</Table.Td>
      <Table.Td maw={260}>
        {row.error && (
          <Text size="xs" c="red" lineClamp={3} title={row.error} data-testid="task-error">
            {row.error}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <RowActions row={row} onAction={onAction} />
      </Table.Td>
    </Table.Tr>
  );
}

export function TaskTable({ rows, selected, showKind, onToggle, onToggleAll, onAction }: Props) {
  const { t } = useI18n();
  const all = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const some = rows.some((r) => selected.has(r.id));
  return (
    <Table.ScrollContainer minWidth={1100}>
      <Table striped verticalSpacing="xs" data-testid="task-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <Checkbox aria-label={t('selectAll')} checked={all} indeterminate={some && !all} onChange={(e) => onToggleAll(e.currentTarget.checked)} />
            </Table.Th>
            <Table.Th>{t('name')}</Table.Th>
            <Table.Th>{t('state')}</Table.Th>
            <Table.Th>{t('progress')}</Table.Th>
            <Table.Th>{t('speed')}</Table.Th>
            <Table.Th>{t('eta')}</Table.Th>
            <Table.Th>{t('creator')}</Table.Th>
            <Table.Th>{t('started')}</Table.Th>
            <Table.Th>{t('ended')}</Table.Th>
            <Table.Th>{t('error')}</Table.Th>
            <Table.Th>{t('actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Row key={`${r.kind}:${r.id}`} row={r} checked={selected.has(r.id)} showKind={showKind} onToggle={() => onToggle(r.id)} onAction={onAction} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
