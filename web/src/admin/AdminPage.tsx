import { Alert, Tabs } from '@mantine/core';
import { isAdmin, useMe } from '../api/auth';
import { can, Perm } from '../api/types';
import { useT } from '../i18n';
import { navigate } from '../router';
import { MyShares } from '../shares/MyShares';
import { Metas } from './Metas';
import { Profile } from './Profile';
import { Settings } from './Settings';
import { Storages } from './Storages';
import { Tokens } from './Tokens';
import { Users } from './Users';

const ADMIN_TABS = ['storages', 'users', 'metas', 'settings'] as const;

export function AdminPage({ path }: { path: string }) {
  const t = useT();
  const me = useMe().data;
  const admin = isAdmin(me);
  const tab = path.split('/')[2] || (admin ? 'storages' : 'tokens');
  const mayShare = can(me, Perm.Share);
  if (!admin && tab !== 'tokens' && tab !== 'profile' && !(tab === 'shares' && mayShare)) return <Alert color="red">{t('noPermission')}</Alert>;
  const own = mayShare ? (['shares', 'tokens', 'profile'] as const) : (['tokens', 'profile'] as const);
  const tabs = admin ? [...ADMIN_TABS, ...own] : own;
  return (
    <Tabs value={tab} onChange={(v) => v && navigate(`/@manage/${v}`)} keepMounted={false}>
      <Tabs.List mb="md">
        {tabs.map((k) => (
          <Tabs.Tab key={k} value={k}>
            {t(k)}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      <Tabs.Panel value="storages">{admin && <Storages />}</Tabs.Panel>
      <Tabs.Panel value="users">{admin && <Users />}</Tabs.Panel>
      <Tabs.Panel value="metas">{admin && <Metas />}</Tabs.Panel>
      <Tabs.Panel value="settings">{admin && <Settings />}</Tabs.Panel>
      <Tabs.Panel value="shares">{mayShare && <MyShares />}</Tabs.Panel>
      <Tabs.Panel value="tokens">
        <Tokens admin={admin} />
      </Tabs.Panel>
      <Tabs.Panel value="profile">
        <Profile />
      </Tabs.Panel>
    </Tabs>
  );
}
