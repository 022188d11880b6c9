import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LITMUS_GROUPS = ['basic', 'copymove', 'props', 'locks', 'http'] as const;
export type LitmusGroup = (typeof LITMUS_GROUPS)[number];

export interface LitmusGroupResult {
  group: string;
  run: number;
  passed: number;
  failed: number;
  /** Names of failed tests. */
  failures: string[];
  /** Warning texts. */
  warnings: string[];
}

export interface LitmusResult {
  groups: Record<string, LitmusGroupResult>;
  output: string;
}

/** Fails with a clear message when a command is missing (npm test installs it from Debian). */
export function requireBinary(name: string, pkg = name): void {
  const r = spawnSync('sh', ['-c', `command -v ${name}`]);
  if (r.status !== 0) {
    throw new Error(`${name} is not installed: npm test installs it (scripts/ensure-deps.sh, Debian package "${pkg}"), or run: apt-get install -y ${pkg}`);
  }
}

/** Parses litmus output: one summary line per group, and the FAIL/WARNING lines before it. */
export function parseLitmus(output: string): Record<string, LitmusGroupResult> {
  const groups: Record<string, LitmusGroupResult> = {};
  let failures: string[] = [];
  let warnings: string[] = [];
  for (const line of output.split('\n')) {
    const fail = /^\s*\d+\.\s+(\S+)\.*\s*FAIL/.exec(line);
    if (fail?.[1]) failures.push(fail[1]);
    const warn = /WARNING:\s*(.*)$/.exec(line);
    if (warn?.[1]) warnings.push(warn[1].trim());
    const sum = /<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/.exec(line);
    if (sum?.[1]) {
      groups[sum[1]] = { group: sum[1], run: Number(sum[2]), passed: Number(sum[3]), failed: Number(sum[4]), failures, warnings };
      failures = [];
      warnings = [];
    }
  }
  return groups;
}

/** Runs litmus (all groups, keep going) against `url` with Basic credentials. */
export async function runLitmus(url: string, user: string, pass: string, timeoutMs = 120_000): Promise<LitmusResult> {
  requireBinary('litmus');
  const cwd = mkdtempSync(join(tmpdir(), 'filebridge-litmus-'));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('litmus', ['-k', url, user, pass], { cwd, env: { ...process.env, TESTS: LITMUS_GROUPS.join(' ') } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`litmus timed out:\n${out}`));
      }, timeoutMs);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
    });
    return { groups: parseLitmus(output), output };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
