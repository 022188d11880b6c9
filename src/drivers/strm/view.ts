import type { Entry } from '../../core/storage/index.js';

/** One entry of the Strm view: a folder, a .strm made for a media file, or a file shown as it is. */
export interface View {
  entry: Entry;
  kind: 'dir' | 'strm' | 'file';
  /** The tree path of the folder, media file or file it stands for (undefined for root names). */
  source?: string;
  /** A file of neither type, shown by showOtherFiles (never saved locally). */
  other?: true;
}
