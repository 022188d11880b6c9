const BY_EXT: Record<string, string> = {
  sh: 'bash', bash: 'bash', c: 'c', h: 'c', cpp: 'cpp', hpp: 'cpp', cc: 'cpp', css: 'css', go: 'go', ini: 'ini', conf: 'ini', toml: 'ini',
  properties: 'ini', java: 'java', js: 'javascript', mjs: 'javascript', jsx: 'javascript', json: 'json', py: 'python', rs: 'rust',
  sql: 'sql', ts: 'typescript', tsx: 'typescript', html: 'xml', htm: 'xml', xml: 'xml', vue: 'xml', yml: 'yaml', yaml: 'yaml',
};

/** The highlight.js language for a file name, by extension. */
export function languageOf(fileName: string): string | undefined {
  return BY_EXT[fileName.split('.').pop()?.toLowerCase() ?? ''];
}

export function isCode(fileName: string): boolean {
  return languageOf(fileName) !== undefined;
}
