import type { OptionsOf } from '../../core/storage/index.js';

/** OpenList's default media types (drivers/strm/meta.go `filterFileTypes`). */
export const DEFAULT_STRM_TYPES = 'mp4,mkv,flv,avi,wmv,ts,rmvb,webm,mp3,flac,aac,wav,ogg,m4a,wma,alac';
/** OpenList's default pass-through types (`downloadFileTypes`): subtitles, and .strm files already there. */
export const DEFAULT_DOWNLOAD_TYPES = 'ass,srt,vtt,sub,strm';

/** Strm options: OpenList's keys, spellings and defaults (drivers/strm/meta.go), plus `showOtherFiles`. */
export const strmOptions = {
  paths: {
    type: 'text',
    label: 'Paths',
    help: 'Folders of this server to show, one a line: /local/movies, or name:/local/movies to show it as "name". One line: its folder is the root; several: one folder each at the root (the same name twice merges them).',
    required: true,
  },
  siteUrl: { type: 'text', label: 'Site URL', help: 'The prefix URL of the strm file; empty: the server\'s site_url (else the address it listens on).' },
  PathPrefix: { type: 'text', label: 'Path prefix', help: 'Path prefix: /d (302 to the storage\'s own link when it has one) or /p (always through this server).', default: '/d' },
  downloadFileTypes: { type: 'text', label: 'Download file types', help: 'Files need to download with strm (usally subtitles): listed as they are and read from their folder.', default: DEFAULT_DOWNLOAD_TYPES },
  filterFileTypes: { type: 'text', label: 'Filter file types', help: 'Supports suffix name of strm file: each such file is listed as NAME.strm holding its download URL.', default: DEFAULT_STRM_TYPES },
  minFileSize: { type: 'number', label: 'Min file size', help: 'Filter out files smaller than this size (unit: MB, 0 to disable)', default: 0 },
  encodePath: { type: 'bool', label: 'Encode path', help: 'encode the path in the strm file', default: true, required: true },
  withoutUrl: { type: 'bool', label: 'Without URL', help: 'strm file content without URL prefix', default: false },
  withSign: { type: 'bool', label: 'With sign', help: 'Sign every URL, even where /d asks for no sign (with sign_all on, or on a storage that signs, URLs are always signed).', default: false },
  SaveStrmToLocal: { type: 'bool', label: 'Save strm to local', help: 'save strm file locally: each folder listed is mirrored (its .strm and download-type files) into SaveStrmLocalPath', default: false },
  SaveStrmLocalPath: { type: 'text', label: 'Save strm local path', help: 'save strm file local path: a folder on this machine' },
  SaveLocalMode: {
    type: 'select',
    label: 'Save local mode',
    help: 'save strm file locally mode: insert (new files only), update (also rewrite changed files), sync (also delete local files the folder no longer has)',
    choices: ['insert', 'update', 'sync'],
    default: 'insert',
  },
  showOtherFiles: {
    type: 'bool',
    label: 'Show other files',
    help: 'Not in OpenList: list files of neither type as they are (read from their folder) instead of hiding them.',
    default: false,
    advanced: true,
  },
} as const;

export type StrmOptions = OptionsOf<typeof strmOptions>;
