import { Alert, Anchor } from '@mantine/core';
import { useI18n } from '../i18n';
import { hrefFor, navigate } from '../router';
import { TASKS_PATH } from './TasksNav';

/** The file browser's note that a copy or move went to the background, with a link to the tasks. */
export function TaskNotice({ count, onClose }: { count: number; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Alert color="blue" withCloseButton onClose={onClose} role="status" data-testid="task-notice">
      {t('tasksCreated', { n: count })}{' '}
      <Anchor
        href={hrefFor(TASKS_PATH)}
        onClick={(e) => {
          e.preventDefault();
          navigate(TASKS_PATH);
        }}
      >
        {t('viewTasks')}
      </Anchor>
    </Alert>
  );
}
