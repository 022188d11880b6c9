import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface BenchRow {
  case: string;
  unit: string;
  filebridge: number;
  peer: number;
  /** filebridge / peer (higher is better). */
  ratio: number;
  /** Undefined: shown for information, no goal. */
  goal?: number;
  met?: boolean;
}

export function row(name: string, unit: string, filebridge: number, peer: number, goal?: number): BenchRow {
  const ratio = peer > 0 ? filebridge / peer : 0;
  const base = { case: name, unit, filebridge, peer, ratio: Math.round(ratio * 100) / 100 };
  return goal === undefined ? base : { ...base, goal, met: ratio >= goal };
}

/** Writes `<name>.json` and `<name>.md` under bench/results/. */
export function writeResults(name: string, peerName: string, rows: BenchRow[], notes: string[]): { json: string; md: string } {
  const dir = resolve(import.meta.dirname, '../results');
  mkdirSync(dir, { recursive: true });
  const when = new Date().toISOString();
  const json = resolve(dir, `${name}.json`);
  writeFileSync(json, JSON.stringify({ bench: name, peer: peerName, when, rows, notes }, null, 2) + '\n');
  const lines = [
    `# ${name}: Filebridge vs ${peerName}`,
    '',
    `Run ${when}. Ratio = Filebridge / ${peerName} (higher is better).`,
    '',
    `| case | unit | Filebridge | ${peerName} | ratio | goal | met |`,
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.case} | ${r.unit} | ${r.filebridge.toFixed(1)} | ${r.peer > 0 ? r.peer.toFixed(1) : '—'} | ${r.peer > 0 ? `${r.ratio.toFixed(2)}×` : '—'} | ${r.goal === undefined ? '—' : `≥ ${r.goal}×`} | ${r.met === undefined ? '—' : r.met ? 'yes' : 'no'} |`,
    ),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  const md = resolve(dir, `${name}.md`);
  writeFileSync(md, lines.join('\n'));
  return { json, md };
}
