import { Checkbox } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, type ReactNode, useRef } from 'react';
import type { FsObject } from '../api/types';
import { formatDate, formatSize } from '../components/format';
import { useI18n } from '../i18n';
import { FileIcon } from './icons';

export interface EntryViewProps {
  items: FsObject[];
  selected: Set<string>;
  onToggle(name: string): void;
  onOpen(item: FsObject): void;
  menu(item: FsObject): ReactNode;
  /** Height of the scrolling area. */
  height: string;
}

/** Moves focus between rendered entries with the arrow keys, scrolling the virtual list. */
export function useArrowKeys(count: number, columns: number, scrollTo: (i: number) => void) {
  return (e: KeyboardEvent<HTMLDivElement>) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!el) return;
    const i = Number(el.dataset.index);
    const step = { ArrowDown: columns, ArrowUp: -columns, ArrowRight: columns > 1 ? 1 : 0, ArrowLeft: columns > 1 ? -1 : 0, Home: -i, End: count - 1 - i }[e.key];
    if (step === undefined || step === 0) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(count - 1, i + step));
    scrollTo(next);
    requestAnimationFrame(() => e.currentTarget?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus());
  };
}

export function FileList({ items, selected, onToggle, onOpen, menu, height }: EntryViewProps) {
  const { lang } = useI18n();
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: items.length, getScrollElement: () => scrollRef.current, estimateSize: () => 40, overscan: 12 });
  const onKeyDown = useArrowKeys(items.length, 1, (i) => v.scrollToIndex(i));
  return (
    <div ref={scrollRef} style={{ height, overflowY: 'auto', contain: 'strict' }} data-testid="file-scroll" role="grid" aria-rowcount={items.length} onKeyDown={onKeyDown}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((row) => {
          const o = items[row.index];
          if (!o) return null;
          return (
            <div
              key={o.name}
              className="fb-row"
              role="row"
              tabIndex={0}
              data-index={row.index}
              data-testid="entry"
              data-name={o.name}
              data-selected={selected.has(o.name)}
              aria-rowindex={row.index + 1}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${row.start}px)` }}
              onClick={() => onOpen(o)}
              onKeyDown={(e) => {
                if (e.target !== e.currentTarget) return;
                if (e.key === 'Enter') onOpen(o);
                if (e.key === ' ') {
                  e.preventDefault();
                  onToggle(o.name);
                }
              }}
            >
              <Checkbox size="xs" aria-label={`select ${o.name}`} checked={selected.has(o.name)} onChange={() => onToggle(o.name)} onClick={(e) => e.stopPropagation()} tabIndex={-1} />
              <FileIcon item={o} size={22} />
              <span className="fb-name" role="gridcell" title={o.name}>
                {o.name}
              </span>
              <span className="fb-size" role="gridcell">
                {o.is_dir ? '' : formatSize(o.size)}
              </span>
              <span className="fb-date" role="gridcell">
                {formatDate(o.modified, lang)}
              </span>
              <span onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
                {menu(o)}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
