import { Alert, Button, Group, Loader, Paper, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { type TaskAction, type TaskBulk, type TaskKind, TaskState, isFinal, taskApi, useRefreshTasks } from '../api/tasks';
import { errorText } from '../components/format';
import { useI18n } from '../i18n';
import { type TaskRow, useTaskBoard } from './board';
import { kindLabel, type StateFilter } from './labels';
import { canCancel, canRetry, TaskTable } from './TaskTable';

const FILTERS: Record<StateFilter, (t: TaskRow) => boolean> = {
  all: () => true,
  running: (t) => !isFinal(t.state),
  done: (t) => isFinal(t.state),
  failed: (t) => t.state === TaskState.Failed,
};

const APPLIES: Record<TaskAction, (t: TaskRow) => boolean> = { cancel: canCancel, retry: canRetry, delete: (t) => isFinal(t.state) };

function byKind(rows: TaskRow[]): Map<TaskKind, string[]> {
  const out = new Map<TaskKind, string[]>();
  for (const r of rows) out.set(r.kind, [...(out.get(r.kind) ?? []), r.id]);
  return out;
}

/** Runs an action, shows what the server refused, and fetches the lists again either way. */
function useRunner() {
  const { t } = useI18n();
  const refresh = useRefreshTasks();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<Record<string, string> | void>) => {
    setError('');
    setBusy(true);
    try {
      const refused = Object.entries((await fn()) ?? {});
      if (refused.length > 0) setError(t('someTasksRefused', { errors: refused.map(([id, why]) => `${id}: ${why}`).join('; ') }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
      await refresh();
    }
  };
  return { run, error, busy, clearError: () => setError('') };
}

function Filters(props: { state: StateFilter; kind: string; kinds: TaskKind[]; onState(s: StateFilter): void; onKind(k: string): void }) {
  const { t } = useI18n();
  return (
    <Group>
      <SegmentedControl
        aria-label={t('state')}
        value={props.state}
        onChange={(v) => props.onState(v as StateFilter)}
        data={[
          { value: 'all', label: t('filterAll') },
          { value: 'running', label: t('filterRunning') },
          { value: 'done', label: t('filterDone') },
          { value: 'failed', label: t('filterFailed') },
        ]}
      />
      <Select
        aria-label={t('taskKind')}
        w={220}
        value={props.kind}
        onChange={(v) => props.onKind(v ?? 'all')}
        allowDeselect={false}
        comboboxProps={{ withinPortal: true }}
        data={[{ value: 'all', label: t('allKinds') }, ...props.kinds.map((k) => ({ value: k, label: t(kindLabel(k)) }))]}
      />
    </Group>
  );
}

function BulkBar({ chosen, busy, onSome, onBulk }: { chosen: TaskRow[]; busy: boolean; onSome(a: TaskAction): void; onBulk(b: TaskBulk): void }) {
  const { t } = useI18n();
  return (
    <Group gap="xs">
      <Text size="sm" c="dimmed">
        {t('selected', { n: chosen.length })}
      </Text>
      <Button size="xs" variant="light" color="orange" disabled={busy || !chosen.some(APPLIES.cancel)} onClick={() => onSome('cancel')}>
        {t('cancelSelected')}
      </Button>
      <Button size="xs" variant="light" disabled={busy || !chosen.some(APPLIES.retry)} onClick={() => onSome('retry')}>
        {t('retrySelected')}
      </Button>
      <Button size="xs" variant="light" color="red" disabled={busy || !chosen.some(APPLIES.delete)} onClick={() => onSome('delete')}>
        {t('deleteSelected')}
      </Button>
      <Group gap="xs" ml="auto">
        <Button size="xs" variant="default" disabled={busy} onClick={() => onBulk('retry_failed')}>
          {t('retryFailed')}
        </Button>
        <Button size="xs" variant="default" disabled={busy} onClick={() => onBulk('clear_succeeded')}>
          {t('clearSucceeded')}
        </Button>
        <Button size="xs" variant="default" disabled={busy} onClick={() => onBulk('clear_done')}>
          {t('clearFinishedTasks')}
        </Button>
      </Group>
    </Group>
  );
}

export function TasksPage() {
  const { t } = useI18n();
  const board = useTaskBoard();
  const runner = useRunner();
  const [state, setState] = useState<StateFilter>('all');
  const [kind, setKind] = useState('all');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const rows = useMemo(() => board.rows.filter((r) => FILTERS[state](r) && (kind === 'all' || r.kind === kind)), [board.rows, state, kind]);
  const chosen = rows.filter((r) => selected.has(r.id));
  const scope = kind === 'all' ? board.kinds : board.kinds.filter((k) => k === kind);

  const onAction = (row: TaskRow, action: TaskAction) => void runner.run(() => taskApi.act(row.kind, action, row.id).then(() => undefined));
  const onSome = (action: TaskAction) =>
    void runner.run(async () => {
      const refused: Record<string, string> = {};
      for (const [k, ids] of byKind(chosen.filter(APPLIES[action]))) Object.assign(refused, await taskApi.actSome(k, action, ids));
      setSelected(new Set());
      return refused;
    });
  const onBulk = (what: TaskBulk) =>
    void runner.run(async () => {
      for (const k of scope) await taskApi.bulk(k, what);
    });
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <Stack data-testid="tasks-page">
      <Group justify="space-between">
        <Title order={3}>{t('tasks')}</Title>
        <Filters state={state} kind={kind} kinds={board.kinds} onState={setState} onKind={setKind} />
      </Group>
      <BulkBar chosen={chosen} busy={runner.busy} onSome={onSome} onBulk={onBulk} />
      {(runner.error || board.error) && (
        <Alert color="red" role="alert" withCloseButton onClose={runner.clearError}>
          {runner.error || board.error?.message}
        </Alert>
      )}
      <Paper withBorder>
        {board.loading && board.rows.length === 0 ? (
          <Loader m="md" size="sm" aria-label={t('loading')} />
        ) : rows.length === 0 ? (
          <Text p="md" c="dimmed" data-testid="tasks-empty">
            {board.rows.length === 0 ? t('noTasks') : t('noTaskMatch')}
          </Text>
        ) : (
          <TaskTable rows={rows} selected={selected} showKind={kind === 'all'} onToggle={toggle} onToggleAll={(on) => setSelected(on ? new Set(rows.map((r) => r.id)) : new Set())} onAction={onAction} />
        )}
      </Paper>
    </Stack>
  );
}
