import { Alert, Button, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useMe } from '../api/auth';
import { get, post, setToken } from '../api/client';
import type { ApiToken, Me, Page } from '../api/types';
import { useI18n } from '../i18n';
import { navigate } from '../router';

/** Tokens that still work: a password change revokes exactly these. */
function activeTokens(list: ApiToken[] | undefined, now = Date.now()): number {
  return (list ?? []).filter((tok) => !tok.revoked_at && (!tok.expires_at || Date.parse(tok.expires_at) > now)).length;
}

/**
 * The signed-in user's own account: a new password needs the current one (and the 2FA code when
 * 2FA is on). Saving it signs out every session, this one too, and revokes every API token, so
 * the page says how many tokens that is before it asks to go ahead.
 */
export function Profile() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const me = useMe().data as (Me & { sso_id?: string }) | undefined;
  const tokens = useQuery({ queryKey: ['tokens', '/api/me/tokens'], queryFn: () => get<Page<ApiToken>>('/api/me/tokens') });
  const count = activeTokens(tokens.data?.content);
  const [v, setV] = useState({ current: '', next: '', again: '', otp: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    if (!me) return;
    if (v.next !== v.again) return setError(t('passwordMismatch'));
    if (!window.confirm(t('confirmPasswordChange', { count }))) return;
    setBusy(true);
    try {
      const r = await post<{ revoked_tokens: number }>('/api/me/update', {
        username: me.username,
        password: v.next,
        sso_id: me.sso_id ?? '',
        current_password: v.current,
        otp_code: v.otp,
      });
      window.alert(t('passwordChanged', { count: r.revoked_tokens }));
      // This session ended with the change: sign in again with the new password.
      setToken('');
      qc.clear();
      navigate('/@login');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack maw={480}>
      <Text fw={600}>{t('changePassword')}</Text>
      <Text size="sm" c="dimmed">
        {me?.username}
      </Text>
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <PasswordInput label={t('currentPassword')} required value={v.current} onChange={(e) => setV({ ...v, current: e.currentTarget.value })} autoComplete="current-password" name="current-password" />
          <PasswordInput label={t('newPassword')} required value={v.next} onChange={(e) => setV({ ...v, next: e.currentTarget.value })} autoComplete="new-password" name="new-password" />
          <PasswordInput label={t('repeatPassword')} required value={v.again} onChange={(e) => setV({ ...v, again: e.currentTarget.value })} autoComplete="new-password" name="repeat-password" />
          {me?.otp && (
            <TextInput label={t('otpCode')} description={t('otpNeeded')} required value={v.otp} onChange={(e) => setV({ ...v, otp: e.currentTarget.value })} inputMode="numeric" autoComplete="one-time-code" name="otp-code" />
          )}
          <Alert color="yellow" data-testid="revoke-notice">
            {tokens.isPending ? t('revokeNoticeLoading') : tokens.isError ? t('revokeNoticeUnknown') : t('revokeNotice', { count })}
          </Alert>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={busy} disabled={!me || tokens.isPending}>
              {t('changePassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
