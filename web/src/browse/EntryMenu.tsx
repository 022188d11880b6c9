import { ActionIcon, Menu } from '@mantine/core';
import { downloadUrl, joinPath } from '../api/client';
import { can, type FsObject, type Me, Perm } from '../api/types';
import { copyText } from '../components/clipboard';
import { useT } from '../i18n';
import type { Dialog } from './Dialogs';

interface Props {
  dir: string;
  item: FsObject;
  me: Me | undefined;
  onDialog(d: Dialog): void;
  onNotice(text: string, error?: boolean): void;
}

export function EntryMenu({ dir, item, me, onDialog, onNotice }: Props) {
  const t = useT();
  const path = joinPath(dir, item.name);
  const link = `${window.location.origin}${downloadUrl(path, item.sign)}`;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`${t('actions')}: ${item.name}`} data-testid="entry-menu">
          ⋮
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {!item.is_dir && (
          <>
            <Menu.Item component="a" href={downloadUrl(path, item.sign)} download={item.name}>
              {t('download')}
            </Menu.Item>
            <Menu.Item
              onClick={() => {
                copyText(link).then(
                  () => onNotice(t('linkCopied')),
                  (err: unknown) => onNotice(String(err), true),
                );
              }}
            >
              {t('copyLink')}
            </Menu.Item>
          </>
        )}
        {can(me, Perm.Share) && (
          <Menu.Item onClick={() => onDialog({ kind: 'share', name: item.name })} data-testid="entry-share">
            {t('share')}
          </Menu.Item>
        )}
        {can(me, Perm.Rename) && <Menu.Item onClick={() => onDialog({ kind: 'rename', name: item.name })}>{t('rename')}</Menu.Item>}
        {can(me, Perm.Move) && <Menu.Item onClick={() => onDialog({ kind: 'move', names: [item.name] })}>{t('move')}</Menu.Item>}
        {can(me, Perm.Copy) && <Menu.Item onClick={() => onDialog({ kind: 'copy', names: [item.name] })}>{t('copy')}</Menu.Item>}
        {can(me, Perm.Remove) && (
          <Menu.Item color="red" onClick={() => onDialog({ kind: 'delete', names: [item.name] })}>
            {t('delete')}
          </Menu.Item>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
