import { ActionIcon, AppShell, Anchor, Button, Group, Menu, SegmentedControl, Text, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import type { ReactNode } from 'react';
import { isAdmin, isGuest, useLogout, useMe } from '../api/auth';
import { can, Perm } from '../api/types';
import { type Lang, useI18n } from '../i18n';
import { hrefFor, navigate } from '../router';
import { TasksNav } from '../tasks/TasksNav';

function Link({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Anchor
      href={hrefFor(to)}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </Anchor>
  );
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const { t } = useI18n();
  return (
    <ActionIcon variant="default" size="lg" aria-label={t('theme')} title={t('theme')} onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}>
      {scheme === 'dark' ? '☀' : '☾'}
    </ActionIcon>
  );
}

function UserMenu() {
  const me = useMe().data;
  const logout = useLogout();
  const { t } = useI18n();
  if (isGuest(me)) {
    return (
      <Button size="xs" variant="light" onClick={() => navigate('/@login')}>
        {t('login')}
      </Button>
    );
  }
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button size="xs" variant="default" aria-label="user menu">
          {me?.username}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {can(me, Perm.Share) && <Menu.Item onClick={() => navigate('/@manage/shares')}>{t('myShares')}</Menu.Item>}
        <Menu.Item onClick={() => navigate('/@manage/tokens')}>{t('tokens')}</Menu.Item>
        <Menu.Item onClick={() => navigate('/@manage/profile')}>{t('profile')}</Menu.Item>
        {isAdmin(me) && (
          <>
            <Menu.Divider />
            <Menu.Item onClick={() => navigate('/@manage/storages')}>{t('storages')}</Menu.Item>
            <Menu.Item onClick={() => navigate('/@manage/users')}>{t('users')}</Menu.Item>
            <Menu.Item onClick={() => navigate('/@manage/metas')}>{t('metas')}</Menu.Item>
            <Menu.Item onClick={() => navigate('/@manage/settings')}>{t('settings')}</Menu.Item>
          </>
        )}
        <Menu.Divider />
        <Menu.Item
          onClick={() => {
            void logout().then(() => navigate('/@login'));
          }}
        >
          {t('logout')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { lang, setLang, t } = useI18n();
  const me = useMe().data;
  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="md" wrap="nowrap">
            <Text fw={700} component="span">
              <Link to="/">{t('appName')}</Link>
            </Text>
            {!isGuest(me) && (
              <Text component="span">
                <TasksNav />
              </Text>
            )}
            {isAdmin(me) && (
              <Text visibleFrom="xs" component="span">
                <Link to="/@manage/storages">{t('manage')}</Link>
              </Text>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <SegmentedControl
              size="xs"
              aria-label={t('language')}
              value={lang}
              onChange={(v) => setLang(v as Lang)}
              data={[
                { value: 'en', label: 'EN' },
                { value: 'zh-CN', label: '中文' },
              ]}
            />
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
