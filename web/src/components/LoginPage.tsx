import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { login } from '../api/auth';
import { ApiError, get, setToken } from '../api/client';
import { useT } from '../i18n';
import { navigate } from '../router';

export function LoginPage() {
  const t = useT();
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const [needOtp, setNeedOtp] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(username, password, otp);
      await qc.resetQueries();
      navigate('/', true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 402) {
        setNeedOtp(true);
        if (otp) setError(err.message);
      } else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  async function guest() {
    setToken('');
    try {
      await get('/api/me');
      await qc.resetQueries();
      navigate('/', true);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} maw="100%">
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <Title order={2}>{t('appName')}</Title>
            <TextInput label={t('username')} name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required autoFocus />
            <PasswordInput label={t('password')} name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            {needOtp && (
              <TextInput label={t('otpCode')} description={t('otpNeeded')} name="otp" inputMode="numeric" autoComplete="one-time-code" value={otp} onChange={(e) => setOtp(e.currentTarget.value)} autoFocus />
            )}
            {error && (
              <Alert color="red" title={t('loginFailed')} role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              {t('login')}
            </Button>
            <Anchor component="button" type="button" size="sm" onClick={() => void guest()}>
              {t('loginAsGuest')}
            </Anchor>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
