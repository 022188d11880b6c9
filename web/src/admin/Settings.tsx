import { Alert, Button, Group, Stack, Tabs } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api/client';
import type { SettingRow } from '../api/types';
import { useT } from '../i18n';
import { Field } from './fields';

const GROUPS: [number, string][] = [[1, 'Site'], [2, 'Style'], [3, 'Preview'], [4, 'Global']];

export function Settings() {
  const t = useT();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['settings'], queryFn: () => get<SettingRow[]>('/api/admin/setting/list') });
  const [changed, setChanged] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ text: string; error: boolean } | null>(null);
  async function save() {
    setMsg(null);
    try {
      await post('/api/admin/setting/save', Object.entries(changed).map(([key, value]) => ({ key, value })));
      setChanged({});
      setMsg({ text: t('saved'), error: false });
      await qc.invalidateQueries({ queryKey: ['settings'] });
    } catch (err) {
      setMsg({ text: err instanceof Error ? err.message : String(err), error: true });
    }
  }
  if (list.isError) return <Alert color="red">{list.error.message}</Alert>;
  return (
    <Stack>
      <Tabs defaultValue="1">
        <Tabs.List>
          {GROUPS.map(([g, name]) => (
            <Tabs.Tab key={g} value={String(g)}>{name}</Tabs.Tab>
          ))}
        </Tabs.List>
        {GROUPS.map(([g]) => (
          <Tabs.Panel key={g} value={String(g)} pt="md">
            <Stack maw={640}>
              {list.data?.filter((s) => s.group === g && s.flag !== 2).map((s) => {
                const raw = changed[s.key] ?? s.value;
                const value = s.type === 'bool' ? raw === 'true' : s.type === 'number' ? Number(raw) : raw;
                return (
                  <Field
                    key={s.key}
                    item={{ name: s.key, type: s.type, default: '', options: '', required: false, help: '' }}
                    value={value}
                    onChange={(v) => setChanged((c) => ({ ...c, [s.key]: String(v) }))}
                  />
                );
              })}
            </Stack>
          </Tabs.Panel>
        ))}
      </Tabs>
      {msg && <Alert color={msg.error ? 'red' : 'teal'} role="status">{msg.text}</Alert>}
      <Group>
        <Button onClick={() => void save()} disabled={Object.keys(changed).length === 0}>{t('saveSettings')}</Button>
      </Group>
    </Stack>
  );
}
