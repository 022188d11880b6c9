import { Center, Loader } from '@mantine/core';
import { useEffect } from 'react';
import { AdminPage } from './admin/AdminPage';
import { needsLogin, useMe } from './api/auth';
import { Browser } from './browse/Browser';
import { Shell } from './components/Shell';
import { LoginPage } from './components/LoginPage';
import { SHARE_PREFIX } from './api/shares';
import { SharePage } from './shares/SharePage';
import { TasksPage } from './tasks/TasksPage';
import { TASKS_PATH } from './tasks/TasksNav';
import { navigate, usePathname } from './router';
import { UploadProvider } from './upload/context';
import { UploadPanel } from './upload/UploadPanel';

export function App() {
  const path = usePathname();
  const me = useMe();
  const onLogin = path === '/@login';
  const onShare = path === SHARE_PREFIX || path.startsWith(`${SHARE_PREFIX}/`);
  const mustLogin = me.isError && needsLogin(me.error) && !onShare;

  useEffect(() => {
    if (mustLogin && !onLogin) navigate('/@login', true);
  }, [mustLogin, onLogin]);

  if (onLogin || mustLogin) return <LoginPage />;
  // A share's page is public: it needs no login, even while the guest is disabled.
  if (onShare) {
    return (
      <Shell>
        <SharePage path={path} />
      </Shell>
    );
  }
  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="loading" />
      </Center>
    );
  }
  return (
    <UploadProvider>
      <Shell>{path.startsWith('/@manage') ? <AdminPage path={path} /> : path === TASKS_PATH ? <TasksPage /> : <Browser path={path} />}</Shell>
      <UploadPanel />
    </UploadProvider>
  );
}
