import { Anchor, Badge, Group } from '@mantine/core';
import { TASK_KINDS, useUndoneTasks } from '../api/tasks';
import { useI18n } from '../i18n';
import { hrefFor, navigate } from '../router';

/** How often the shell looks for unfinished tasks (the tasks page looks every second itself). */
const BADGE_POLL_MS = 5_000;

export const TASKS_PATH = '/@tasks';

/** The shell's "Tasks" link with the number of unfinished tasks; polls only while shown (logged in). */
export function TasksNav() {
  const { t } = useI18n();
  const lists = useUndoneTasks(TASK_KINDS, { interval: BADGE_POLL_MS });
  const n = lists.reduce((sum, q) => sum + (q.data?.length ?? 0), 0);
  return (
    <Anchor
      href={hrefFor(TASKS_PATH)}
      onClick={(e) => {
        e.preventDefault();
        navigate(TASKS_PATH);
      }}
      data-testid="tasks-nav"
    >
      <Group gap={6} wrap="nowrap" component="span">
        {t('tasks')}
        {n > 0 && (
          <Badge size="sm" circle={n < 10} variant="filled" data-testid="tasks-badge" title={t('tasksActive', { n })} aria-label={t('tasksActive', { n })}>
            {n}
          </Badge>
        )}
      </Group>
    </Anchor>
  );
}
