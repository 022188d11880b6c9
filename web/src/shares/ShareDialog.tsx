import { Alert, Button, Code, CopyButton, Group, Modal, NumberInput, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { baseName } from '../api/client';
import { shareApi, shareLink } from '../api/shares';
import { errorText } from '../components/format';
import { useT } from '../i18n';

const DAY_MS = 86_400_000;

/** The share dialog of an entry: password, expiry, max accesses, remark (and a custom id if allowed); then the link to copy. */
export function ShareDialog({ path, customId, onClose }: { path: string; customId: boolean; onClose(): void }) {
  const t = useT();
  const qc = useQueryClient();
  const [pwd, setPwd] = useState('');
  const [days, setDays] = useState<number | string>('');
  const [max, setMax] = useState<number | string>('');
  const [remark, setRemark] = useState('');
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [link, setLink] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const s = await shareApi.create({
        files: [path],
        pwd,
        expires: days === '' ? null : new Date(Date.now() + Number(days) * DAY_MS).toISOString(),
        max_accessed: max === '' ? 0 : Number(max),
        remark,
        ...(customId && id.trim() !== '' ? { id: id.trim() } : {}),
      });
      setLink(shareLink(s.id));
      void qc.invalidateQueries({ queryKey: ['shares'] });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened onClose={onClose} title={`${t('share')}: ${baseName(path)}`}>
      {link ? (
        <Stack data-testid="share-created">
          <Text>{t('shareCreated')}</Text>
          <Group gap="xs" wrap="nowrap">
            <Code style={{ wordBreak: 'break-all' }} data-testid="share-link">
              {link}
            </Code>
            <CopyButton value={link}>{({ copied, copy }) => <Button size="compact-xs" onClick={copy}>{copied ? t('linkCopied') : t('copy')}</Button>}</CopyButton>
          </Group>
          {pwd && (
            <Text size="sm">
              {t('sharePassword')}: <Code data-testid="share-pwd">{pwd}</Code>
            </Text>
          )}
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('close')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <PasswordInput label={t('sharePasswordOptional')} value={pwd} onChange={(e) => setPwd(e.currentTarget.value)} name="share-pwd" data-autofocus />
            <NumberInput label={t('expiresInDays')} value={days} onChange={setDays} min={1} max={36500} name="share-days" />
            <NumberInput label={t('maxAccesses')} value={max} onChange={setMax} min={1} name="share-max" />
            <TextInput label={t('remark')} value={remark} onChange={(e) => setRemark(e.currentTarget.value)} name="share-remark" />
            {customId && <TextInput label={t('customShareId')} value={id} onChange={(e) => setId(e.currentTarget.value)} name="share-id" />}
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
                {t('createShare')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
