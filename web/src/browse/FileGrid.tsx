import { useElementSize } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type RefCallback, useCallback, useRef } from 'react';
import { FileIcon } from './icons';
import { type EntryViewProps, useArrowKeys } from './FileList';
import { proxyUrl, joinPath } from '../api/client';

const TILE = 120;

export function FileGrid({ items, selected, onToggle, onOpen, height, dir }: EntryViewProps & { dir: string }) {
  const { ref: sizeRef, width } = useElementSize();
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const columns = Math.max(1, Math.floor((width || TILE) / TILE));
  const rows = Math.ceil(items.length / columns);
  const v = useVirtualizer({ count: rows, getScrollElement: () => scrollRef.current, estimateSize: () => TILE, overscan: 4 });
  const onKeyDown = useArrowKeys(items.length, columns, (i) => v.scrollToIndex(Math.floor(i / columns)));
  const setRefs: RefCallback<HTMLDivElement> = useCallback(
    (el: HTMLDivElement | null) => {
      scrollRef.current = el;
      sizeRef(el);
    },
    [sizeRef],
  );
  return (
    <div ref={setRefs} style={{ height, overflowY: 'auto', contain: 'strict' }} data-testid="file-scroll" onKeyDown={onKeyDown}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((row) => (
          <div
            key={row.key}
            style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${row.start}px)`, display: 'grid', gridTemplateColumns: `repeat(${columns}, 1fr)` }}
          >
            {items.slice(row.index * columns, row.index * columns + columns).map((o, k) => {
              const index = row.index * columns + k;
              return (
                <div
                  key={o.name}
                  className="fb-tile"
                  tabIndex={0}
                  data-index={index}
                  data-testid="entry"
                  data-name={o.name}
                  data-selected={selected.has(o.name)}
                  onClick={(e) => (e.ctrlKey || e.metaKey ? onToggle(o.name) : onOpen(o))}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') onOpen(o);
                    if (e.key === ' ') {
                      e.preventDefault();
                      onToggle(o.name);
                    }
                  }}
                >
                  {o.type === 5 ? (
                    <img src={proxyUrl(joinPath(dir, o.name), o.sign)} alt="" loading="lazy" style={{ width: 64, height: 64, objectFit: 'cover', borderRadius: 4 }} />
                  ) : (
                    <FileIcon item={o} size={44} />
                  )}
                  <span className="fb-name" title={o.name}>
                    {o.name}
                  </span>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
