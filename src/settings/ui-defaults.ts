import { type SettingDefault, SettingFlag, SettingGroup } from './groups.js';

/**
 * Settings that only the web UI reads (OpenList's keys, types, groups and defaults from its
 * `internal/bootstrap/data/setting.go`): the official OpenList/AList frontends decide by them how
 * to render READMEs, previews, icons and the manage pages. The server itself does not act on them.
 */
export const OPENLIST_LOGO = 'https://res.oplist.org/logo/logo.svg';

const IFRAME_PREVIEWS = `{
\t"doc,docx,xls,xlsx,ppt,pptx": {
\t\t"Microsoft":"https://view.officeapps.live.com/op/view.aspx?src=$e_url",
\t\t"Google":"https://docs.google.com/gview?url=$e_url&embedded=true"
\t},
\t"pdf": {
\t\t"PDF.js":"https://res.oplist.org/pdf.js/web/viewer.html?file=$e_url"
\t},
\t"epub": {
\t\t"EPUB.js":"https://res.oplist.org/epub.js/viewer.html?url=$e_url"
\t}
}`;

const UI = ' (read by the web UI)';

export function uiSettings(): SettingDefault[] {
  const { Public } = SettingFlag;
  const { Style, Preview, Global } = SettingGroup;
  return [
    // style
    { key: 'logo', value: OPENLIST_LOGO, type: 'text', group: Style, flag: Public, help: `logo URL; a second line is the dark-mode logo${UI}` },
    { key: 'favicon', value: OPENLIST_LOGO, type: 'string', group: Style, flag: Public, help: `favicon URL${UI}` },
    { key: 'home_icon', value: '🏠', type: 'string', group: Style, flag: Public, help: `icon of the home crumb${UI}` },
    { key: 'share_icon', value: '🎁', type: 'string', group: Style, flag: Public, help: `icon of the share crumb${UI}` },
    { key: 'home_container', value: 'max_980px', type: 'select', options: 'max_980px,hope_container', group: Style, flag: Public, help: `width of the file pages${UI}` },
    { key: 'settings_layout', value: 'list', type: 'select', options: 'list,responsive', group: Style, flag: Public, help: `layout of the settings pages${UI}` },
    { key: 'show_disk_usage_in_plain_text', value: 'false', type: 'bool', group: Style, flag: Public, help: `storage usage as text instead of a bar${UI}` },
    // preview
    { key: 'external_previews', value: '{}', type: 'text', group: Preview, flag: Public, help: `JSON: extensions to {name: URL} of outside previewers${UI}` },
    { key: 'iframe_previews', value: IFRAME_PREVIEWS, type: 'text', group: Preview, flag: Public, help: `JSON: extensions to {name: URL} of previewers shown in a frame; $e_url is the file's encoded URL${UI}` },
    { key: 'audio_cover', value: OPENLIST_LOGO, type: 'string', group: Preview, flag: Public, help: `cover shown for audio without one${UI}` },
    { key: 'audio_autoplay', value: 'true', type: 'bool', group: Preview, flag: Public, help: UI.trim() },
    { key: 'video_autoplay', value: 'true', type: 'bool', group: Preview, flag: Public, help: UI.trim() },
    { key: 'preview_download_by_default', value: 'false', type: 'bool', group: Preview, flag: Public, help: `open files as a download instead of a preview${UI}` },
    { key: 'preview_archives_by_default', value: 'true', type: 'bool', group: Preview, flag: Public, help: UI.trim() },
    { key: 'readme_autorender', value: 'true', type: 'bool', group: Preview, flag: Public, help: `render a folder's README.md under its listing${UI}` },
    { key: 'filter_readme_scripts', value: 'true', type: 'bool', group: Preview, flag: Public, help: `strip scripts from rendered markdown${UI}` },
    // global
    { key: 'hide_files', value: '/\\/README.md/i', type: 'text', group: Global, flag: Public, help: `one JavaScript regular expression per line (/pattern/flags); matching names are hidden from listings${UI}` },
    { key: 'package_download', value: 'true', type: 'bool', group: Global, flag: Public, help: `offer downloading a selection as one archive, made in the browser${UI}` },
  ];
}
