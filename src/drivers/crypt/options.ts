import type { OptionsOf } from '../../core/storage/index.js';

/** Crypt options: OpenList's keys, choices and defaults (drivers/crypt/meta.go), so an OpenList Crypt storage carries over. */
export const cryptOptions = {
  filename_encryption: {
    type: 'select',
    label: 'File name encryption',
    help: 'standard: names encrypted (EME/AES-256); obfuscate: rclone\'s reversible rotation; off: names in clear with the encrypted suffix added.',
    choices: ['off', 'standard', 'obfuscate'],
    default: 'off',
    required: true,
  },
  directory_name_encryption: {
    type: 'select',
    label: 'Directory name encryption',
    help: 'Whether folder names are encrypted too (only with standard or obfuscate). rclone\'s own default is true.',
    choices: ['false', 'true'],
    default: 'false',
    required: true,
  },
  remote_path: { type: 'string', label: 'Remote path', help: 'This is where the encrypted data stores: a folder of another storage of this server, e.g. /local/encrypted.', required: true },
  password: { type: 'string', label: 'Password', help: 'The main password (rclone\'s password). In clear, or as `rclone obscure` gives it after the prefix ___Obfuscated___.', required: true, secret: true },
  salt: {
    type: 'string',
    label: 'Salt',
    help: 'rclone\'s password2. If you don\'t know what is salt, treat it as a second password. Optional but recommended. In clear, or ___Obfuscated___ + obscured.',
    secret: true,
  },
  encrypted_suffix: { type: 'string', label: 'Encrypted suffix', help: 'for advanced user only! encrypted files will have this suffix (with file name encryption off); "none" for no suffix.', default: '.bin', required: true, advanced: true },
  filename_encoding: {
    type: 'select',
    label: 'File name encoding',
    help: 'for advanced user only! How encrypted names are spelled: base64 (URL-safe), base32 (case-insensitive storages; rclone\'s default) or base32768 (storages that count characters).',
    choices: ['base64', 'base32', 'base32768'],
    default: 'base64',
    required: true,
    advanced: true,
  },
  thumbnail: { type: 'bool', label: 'Thumbnail', help: 'Accepted for OpenList compatibility; not used.', default: false, advanced: true },
  encrypt_to_disk: { type: 'bool', label: 'Encrypt to disk', help: 'Accepted for OpenList compatibility; not needed: uploads are encrypted as they stream.', default: false, advanced: true },
  show_hidden: { type: 'bool', label: 'Show hidden', help: 'show hidden directories and files (names starting with a dot)', default: true },
} as const;

export type CryptOptions = OptionsOf<typeof cryptOptions>;
