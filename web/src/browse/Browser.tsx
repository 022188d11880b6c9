import { Alert, Button, Group, Paper, PasswordInput, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { isPasswordError, useFsGet, useFsList } from '../api/fs';
import { useT } from '../i18n';
import { Preview } from '../preview/Preview';
import { PathBreadcrumbs } from './Breadcrumbs';
import { Folder, FolderSkeleton } from './Folder';
import { usePathPassword } from './passwords';

/** Asks for a password; `needed` replaces the folder's wording (a share's code). */
export function PasswordPrompt({ wrong, needed, onSubmit }: { wrong: boolean; needed?: string; onSubmit(pw: string): void }) {
  const t = useT();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(value);
  };
  return (
    <Paper withBorder p="lg" maw={420}>
      <form onSubmit={submit}>
        <Stack>
          <Alert color={wrong ? 'red' : 'blue'}>{wrong ? t('wrongPassword') : (needed ?? t('passwordNeeded'))}</Alert>
          <PasswordInput label={t('password')} value={value} onChange={(e) => setValue(e.currentTarget.value)} autoFocus data-testid="folder-password" />
          <Group justify="flex-end">
            <Button type="submit">{t('ok')}</Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** A path of the virtual tree: a folder listing, or a file's preview. */
export function Browser({ path }: { path: string }) {
  const dir = path.replace(/\/+$/, '') || '/';
  const [password, setPassword] = usePathPassword(dir);
  const got = useFsGet(dir, password);
  const list = useFsList(dir, password, got.data?.is_dir !== false);
  const pwError = [got.error, list.error].find(isPasswordError);
  let body;
  if (pwError) body = <PasswordPrompt wrong={password !== ''} onSubmit={setPassword} />;
  else if (got.isError) {
    body = (
      <Alert color="red" title={got.error.code === 500 && /not found/.test(got.error.message) ? 'Not found' : 'Error'} role="alert">
        {got.error.message}
      </Alert>
    );
  } else if (got.data && !got.data.is_dir) body = <Preview path={dir} item={got.data} password={password} />;
  else if (list.isError) {
    body = (
      <Alert color="red" role="alert">
        {list.error.message}
      </Alert>
    );
  } else if (!got.data) body = <FolderSkeleton />;
  else body = <Folder dir={dir} list={list.data} />;
  return (
    <Stack gap="sm">
      <PathBreadcrumbs path={dir} />
      {body}
    </Stack>
  );
}
