import type { FsObject } from '../api/types';

type Kind = 'folder' | 'file' | 'video' | 'audio' | 'text' | 'image' | 'pdf';

/** AList's object type numbers: 0 unknown, 1 folder, 2 video, 3 audio, 4 text, 5 image. */
function kindOf(o: Pick<FsObject, 'is_dir' | 'type' | 'name'>): Kind {
  if (o.is_dir) return 'folder';
  if (/\.pdf$/i.test(o.name)) return 'pdf';
  return (['file', 'folder', 'video', 'audio', 'text', 'image'] as const)[o.type] ?? 'file';
}

const COLORS: Record<Kind, string> = { folder: '#f2b01e', file: '#8a94a6', video: '#e8590c', audio: '#ae3ec9', text: '#1c7ed6', image: '#2f9e44', pdf: '#e03131' };
const PAGE = 'M6 2h9l5 5v15H6z';
const MARKS: Record<Kind, string> = {
  folder: '',
  file: '',
  video: 'M10 11v6l5-3z',
  audio: 'M11 18a2 2 0 1 1 0-.1V10l5-1v2l-4 .8',
  text: 'M9 11h8M9 14h8M9 17h5',
  image: 'M8 18l3-4 2 2 2-3 3 5z',
  pdf: 'M9 12h8M9 15h8',
};

/** A small inline SVG icon (no icon font, no emoji font needed). */
export function FileIcon({ item, size = 22 }: { item: Pick<FsObject, 'is_dir' | 'type' | 'name'>; size?: number }) {
  const kind = kindOf(item);
  const color = COLORS[kind];
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" style={{ flex: 'none' }}>
      {kind === 'folder' ? (
        <path d="M2 6a2 2 0 0 1 2-2h5l2 2h9a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2z" fill={color} />
      ) : (
        <>
          <path d={PAGE} fill="none" stroke={color} strokeWidth="1.6" strokeLinejoin="round" />
          <path d="M15 2v5h5" fill="none" stroke={color} strokeWidth="1.6" strokeLinejoin="round" />
          {MARKS[kind] && <path d={MARKS[kind]} fill={kind === 'video' || kind === 'image' ? color : 'none'} stroke={color} strokeWidth="1.4" />}
        </>
      )}
    </svg>
  );
}
