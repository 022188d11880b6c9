import { Alert, Button, Collapse, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, get, post } from '../api/client';
import type { DriverInfo, FormItem, Storage } from '../api/types';
import { useT } from '../i18n';
import { defaultValue, Field, type Values } from './fields';

const COMMON_FIELDS: Record<string, keyof Storage> = {
  mount_path: 'mount_path', order: 'order', remark: 'remark', cache_expiration: 'cache_expiration', web_proxy: 'web_proxy',
  webdav_policy: 'webdav_policy', down_proxy_url: 'down_proxy_url', enable_sign: 'enable_sign', order_by: 'order_by',
  order_direction: 'order_direction', extract_folder: 'extract_folder',
};

function initialValues(info: DriverInfo, editing: Storage | null): { common: Values; extra: Values } {
  const common: Values = {};
  const extra: Values = {};
  for (const i of info.common) common[i.name] = editing ? ((editing[COMMON_FIELDS[i.name] ?? 'remark'] as string | number | boolean) ?? '') : defaultValue(i);
  let stored: Record<string, unknown> = {};
  try {
    stored = editing ? (JSON.parse(editing.addition) as Record<string, unknown>) : {};
  } catch {
    /* shown empty */
  }
  for (const i of info.additional) {
    const v = stored[i.name];
    extra[i.name] = i.secret ? '' : v === undefined || v === null ? defaultValue(i) : (v as string | number | boolean);
  }
  return { common, extra };
}

function clean(items: FormItem[], values: Values): Values {
  const out: Values = {};
  for (const i of items) {
    const v = values[i.name];
    if (v === '' && i.type === 'number') continue;
    if (v !== undefined) out[i.name] = v;
  }
  return out;
}

interface Props {
  editing: Storage | null;
  onClose(): void;
  /** After a save; `warning` when the storage was stored but failed to start. */
  onSaved(warning?: string): void;
}

export function StorageForm({ editing, onClose, onSaved }: Props) {
  const t = useT();
  const drivers = useQuery({ queryKey: ['drivers'], queryFn: () => get<Record<string, DriverInfo>>('/api/admin/driver/list'), staleTime: Infinity });
  const [driver, setDriver] = useState<string | null>(editing?.driver ?? null);
  const info = driver ? drivers.data?.[driver] : undefined;
  const [common, setCommon] = useState<Values>({});
  const [extra, setExtra] = useState<Values>({});
  const [showAdvanced, setShowAdvanced] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!info) return;
    const init = initialValues(info, editing);
    setCommon(init.common);
    setExtra(init.extra);
  }, [info, editing]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!info || !driver) return;
    setBusy(true);
    setError('');
    const body = { ...clean(info.common, common), driver, addition: JSON.stringify(clean(info.additional, extra)), ...(editing ? { id: editing.id } : {}) };
    try {
      await post(editing ? '/api/admin/storage/update' : '/api/admin/storage/create', body);
      onSaved();
      onClose();
    } catch (err) {
      const created = err instanceof ApiError && err.code === 500 && (editing || (err.data as { id?: number } | null)?.id);
      if (created) {
        onSaved(t('storageCreatedWithError', { error: err.message }));
        onClose();
      } else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const basic = info ? [...info.common.filter((i) => i.name === 'mount_path'), ...info.additional.filter((i) => !i.advanced)] : [];
  const advanced = info ? [...info.additional.filter((i) => i.advanced), ...info.common.filter((i) => i.name !== 'mount_path')] : [];
  const field = (i: FormItem) => {
    const isCommon = info?.common.includes(i) ?? false;
    const values = isCommon ? common : extra;
    const set = isCommon ? setCommon : setExtra;
    return <Field key={`${isCommon}-${i.name}`} item={i} value={values[i.name]} onChange={(v) => set((s) => ({ ...s, [i.name]: v }))} secretHint={editing && i.secret ? t('secretKept') : undefined} />;
  };

  return (
    <Modal opened onClose={onClose} title={editing ? t('editStorage', { path: editing.mount_path }) : t('addStorage')} size="lg">
      <form onSubmit={(e) => void submit(e)} data-testid="storage-form">
        <Stack>
          <Select
            label={t('driver')}
            required
            disabled={!!editing}
            searchable
            value={driver}
            onChange={setDriver}
            data={Object.values(drivers.data ?? {}).map((d) => ({ value: d.config.name, label: d.config.label || d.config.name }))}
            data-testid="driver-select"
          />
          {info?.config.description && (
            <Text size="sm" c="dimmed">
              {info.config.description}
            </Text>
          )}
          {basic.map(field)}
          {advanced.length > 0 && (
            <Button variant="subtle" size="xs" onClick={() => setShowAdvanced((v) => !v)} style={{ alignSelf: 'flex-start' }}>
              {showAdvanced ? '▾' : '▸'} {t('advanced')}
            </Button>
          )}
          <Collapse expanded={showAdvanced}>
            <Stack>{advanced.map(field)}</Stack>
          </Collapse>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={busy} disabled={!info}>
              {editing ? t('save') : t('create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
