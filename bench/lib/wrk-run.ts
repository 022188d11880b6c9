/**
 * Runs wrk (a native HTTP load generator: it takes little CPU, so it does not hide the server's
 * cost the way a Node client would) and reads its summary. Requests other than a plain GET are
 * made by a Lua script written for the run: a fixed method, headers and body, or a PUT of a new
 * path each time.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** PUT a new file each time: `url` is the folder (ending in /), names are `<thread>-<n>.bin`. */
  newPathEach?: { bytes: number };
  /**
   * Documentation only: wrk counts any answer that is not 2xx/3xx as an error. (A Lua `response`
   * hook would check statuses exactly, but it makes wrk hand every body to Lua, which caps a large
   * download at a few MB/s.)
   */
  expect?: number[];
}

export interface WrkResult {
  requestsPerSec: number;
  bytesPerSec: number;
  requests: number;
  /** Non-2xx/3xx answers, socket errors and timeouts, as wrk counts them. */
  errors: number;
  latencyP99Ms: number;
  /** wrk's own report, for error messages. */
  output: string;
}

function lua(req: WrkRequest): string {
  const method = req.newPathEach ? 'PUT' : (req.method ?? 'GET');
  const headers = Object.entries(req.headers ?? {})
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  const path = new URL(req.url).pathname + new URL(req.url).search;
  const common = `
wrk.method = ${JSON.stringify(method)}
${headers}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function done(summary, latency, requests)
  io.write(string.format("P99 %f\\n", latency:percentile(99) / 1000))
end
`;
  if (req.newPathEach) {
    return `${common}
local body = string.rep("a", ${req.newPathEach.bytes})
local n = 0
local prefix = ""
function init(args)
  prefix = tostring(tid) .. "-" .. tostring(math.random(1, 1e9))
end
request = function()
  n = n + 1
  return wrk.format(nil, ${JSON.stringify(path)} .. prefix .. "-" .. n .. ".bin", nil, body)
end
`;
  }
  return `${common}
${req.body !== undefined ? `wrk.body = ${JSON.stringify(req.body)}` : ''}
`;
}

const SIZE: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Parses a figure such as `1.21GB` or `512.00KB` into bytes. */
function bytes(s: string): number {
  const m = /^([\d.]+)([KMGT]?B)$/.exec(s.trim());
  return m ? Number(m[1]) * (SIZE[m[2] as string] ?? 1) : 0;
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const tps = /Transfer\/sec:\s+(\S+)/.exec(out);
  const total = /(\d+) requests in/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const p99 = /P99 ([\d.]+)/.exec(out);
  if (!rps || !total) throw new Error(`wrk printed no summary:\n${out}`);
  const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requestsPerSec: Number(rps[1]),
    bytesPerSec: tps ? bytes(tps[1] as string) : 0,
    requests: Number(total[1]),
    errors: Number(non2xx?.[1] ?? 0) + sockErrors,
    latencyP99Ms: Number(p99?.[1] ?? 0),
    output: out,
  };
}

/** Runs wrk for `seconds` with `connections` (on 1 thread: the server has the other core). */
export async function wrk(req: WrkRequest, options: { connections: number; seconds: number; threads?: number }): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-wrk-'));
  const script = join(dir, 'req.lua');
  writeFileSync(script, lua(req));
  const threads = Math.min(options.threads ?? 1, options.connections);
  const args = ['-t', String(threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--timeout', '10s', '-s', script, req.url];
  try {
    const out = await new Promise<string>((done, fail) =>
      execFile('wrk', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? fail(new Error(`wrk failed: ${stderr || err.message}`)) : done(stdout))),
    );
    return parseWrk(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** "min–max" of the runs, for the spread column. */
export function spread(xs: number[], digits = 0): string {
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}
