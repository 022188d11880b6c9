import { ActionIcon, Button, Group, Menu, SegmentedControl, Select, TextInput } from '@mantine/core';
import { useRef } from 'react';
import { useT } from '../i18n';
import { fromInput, type Picked } from '../upload/collect';

export type SortKey = 'name' | 'size' | 'modified';
export interface ViewState {
  filter: string;
  sort: SortKey;
  desc: boolean;
  view: 'list' | 'grid';
}

interface Props {
  state: ViewState;
  onState(patch: Partial<ViewState>): void;
  canWrite: boolean;
  selectedCount: number;
  onMkdir(): void;
  onUpload(files: Picked[]): void;
  onBulk(kind: 'move' | 'copy' | 'delete'): void;
  onRefresh(): void;
}

export function Toolbar({ state, onState, canWrite, selectedCount, onMkdir, onUpload, onBulk, onRefresh }: Props) {
  const t = useT();
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const pick = (input: HTMLInputElement | null) => {
    if (!input) return;
    onUpload(fromInput(input.files));
    input.value = '';
  };
  return (
    <Group gap="xs" wrap="wrap">
      <TextInput
        placeholder={t('filter')}
        aria-label={t('filter')}
        value={state.filter}
        onChange={(e) => onState({ filter: e.currentTarget.value })}
        style={{ flex: '1 1 160px' }}
        size="sm"
        data-testid="filter"
      />
      <Select
        size="sm"
        w={130}
        aria-label={t('sortBy')}
        value={state.sort}
        allowDeselect={false}
        onChange={(v) => v && onState({ sort: v as SortKey })}
        data={[
          { value: 'name', label: t('name') },
          { value: 'size', label: t('size') },
          { value: 'modified', label: t('modified') },
        ]}
      />
      <ActionIcon variant="default" size="lg" aria-label={state.desc ? t('descending') : t('ascending')} title={state.desc ? t('descending') : t('ascending')} onClick={() => onState({ desc: !state.desc })}>
        {state.desc ? '↓' : '↑'}
      </ActionIcon>
      <SegmentedControl
        size="sm"
        value={state.view}
        onChange={(v) => onState({ view: v as ViewState['view'] })}
        data={[
          { value: 'list', label: <span aria-label={t('listView')}>☰</span> },
          { value: 'grid', label: <span aria-label={t('gridView')}>▦</span> },
        ]}
      />
      <ActionIcon variant="default" size="lg" aria-label={t('refresh')} title={t('refresh')} onClick={onRefresh}>
        ⟳
      </ActionIcon>
      {selectedCount > 0 && (
        <Group gap={4}>
          <Button size="sm" variant="light" onClick={() => onBulk('move')}>
            {t('move')} ({selectedCount})
          </Button>
          <Button size="sm" variant="light" onClick={() => onBulk('copy')}>
            {t('copy')}
          </Button>
          <Button size="sm" variant="light" color="red" onClick={() => onBulk('delete')}>
            {t('delete')}
          </Button>
        </Group>
      )}
      {canWrite && (
        <>
          <Button size="sm" variant="default" onClick={onMkdir}>
            {t('newFolder')}
          </Button>
          <Menu>
            <Menu.Target>
              <Button size="sm">{t('upload')}</Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => filesRef.current?.click()}>{t('uploadFiles')}</Menu.Item>
              <Menu.Item onClick={() => folderRef.current?.click()}>{t('uploadFolder')}</Menu.Item>
            </Menu.Dropdown>
          </Menu>
          <input ref={filesRef} type="file" multiple hidden data-testid="upload-files" onChange={(e) => pick(e.currentTarget)} />
          <input ref={folderRef} type="file" multiple hidden data-testid="upload-folder" {...{ webkitdirectory: '' }} onChange={(e) => pick(e.currentTarget)} />
        </>
      )}
    </Group>
  );
}
