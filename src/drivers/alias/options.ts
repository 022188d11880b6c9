import type { OptionsOf } from '../../core/storage/index.js';

const WRITE_POLICIES = ['disabled', 'first', 'deterministic', 'deterministic_or_all', 'all', 'all_strict'] as const;

/**
 * Alias options: OpenList's keys, choices and defaults (drivers/alias/meta.go; `filename_escape*`
 * from OpenList PR #2868), so an OpenList Alias storage carries over. See docs/drivers/alias.md.
 */
export const aliasOptions = {
  paths: {
    type: 'text',
    label: 'Paths',
    help: 'Folders of this server\'s tree, one a line, each optionally prefixed with a name and ":" (name:/path). Lines with the same name are merged into one folder; with a single name, the alias root is that folder\'s content.',
    required: true,
  },
  read_conflict_policy: {
    type: 'select',
    label: 'Read conflict policy',
    help: 'Which copy a read takes when several folders hold the same file: first, random (any copy), or all (any copy of the same size).',
    choices: ['first', 'random', 'all'],
    default: 'first',
  },
  write_conflict_policy: {
    type: 'select',
    label: 'Write conflict policy',
    help: 'How the driver handles identical backend paths when renaming, removing, or making directories.',
    choices: WRITE_POLICIES,
    default: 'disabled',
  },
  put_conflict_policy: {
    type: 'select',
    label: 'Put conflict policy',
    help: 'How the driver handles identical backend paths when uploading, copying, moving, or decompressing. quota and quota_strict are not supported (the tree gives no free space).',
    choices: [...WRITE_POLICIES, 'random', 'quota', 'quota_strict'],
    default: 'disabled',
  },
  file_consistency_check: {
    type: 'bool',
    label: 'File consistency check',
    help: 'With random/all reads, and when removing or renaming every copy: only copies with the same size and hashes as the first count as copies.',
    default: false,
  },
  download_concurrency: { type: 'number', label: 'Download concurrency', help: 'Need to enable proxy. Not supported: must be 0.', default: 0 },
  download_part_size: { type: 'number', label: 'Download part size', help: 'Need to enable proxy. Unit: KB. Not supported: must be 0.', default: 0 },
  provider_pass_through: { type: 'bool', label: 'Provider pass through', help: 'Not supported (entries carry no provider of their own): must be off.', default: false },
  details_pass_through: { type: 'bool', label: 'Details pass through', help: 'Not supported (the tree gives no storage details): must be off.', default: false },
  filename_escape: { type: 'bool', label: 'File name escape', help: 'Store the strings of filename_escape_chars escaped in backend names.', default: false },
  filename_escape_chars: {
    type: 'text',
    label: 'File name escape chars',
    help: 'Strings to escape by replacing the first character with _xHHHH_ UTF-16 code units, one per line',
  },
} as const;

export type AliasOptions = OptionsOf<typeof aliasOptions>;
export type WritePolicy = (typeof WRITE_POLICIES)[number];
export type PutPolicy = WritePolicy | 'random' | 'quota' | 'quota_strict';
export type ReadPolicy = 'first' | 'random' | 'all';
