import type { OptionsOf } from '../../core/storage/index.js';

/** OpenList's example tree (drivers/url_tree/meta.go), the option's default. */
const EXAMPLE = [
  'https://raw.githubusercontent.com/OpenListTeam/OpenList/main/README.md',
  'https://raw.githubusercontent.com/OpenListTeam/OpenList/main/README/README_cn.md',
  'folder:',
  '  CONTRIBUTING.md:1635:https://raw.githubusercontent.com/OpenListTeam/OpenList/main/CONTRIBUTING.md',
  '  CODE_OF_CONDUCT.md:2093:https://raw.githubusercontent.com/OpenListTeam/OpenList/main/CODE_OF_CONDUCT.md',
].join('\n');

/** UrlTree options: OpenList's keys and defaults (drivers/url_tree/meta.go). */
export const urlTreeOptions = {
  url_structure: {
    type: 'text',
    label: 'URL structure',
    help: 'structure:FolderName:\n  [FileName:][FileSize:][Modified:]Url',
    default: EXAMPLE,
    required: true,
  },
  head_size: { type: 'bool', label: 'HEAD size', help: 'Use head method to get file size, but it may be failed.', default: false },
  writable: { type: 'bool', label: 'Writable', help: 'Accepted for OpenList compatibility; this server keeps the tree read-only: edit the URL structure instead.', default: false },
} as const;

export type UrlTreeOptions = OptionsOf<typeof urlTreeOptions>;
