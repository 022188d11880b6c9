// Prints the closing "N passed, N failed[, N skipped]" line from vitest's JSON report.
// Lint and type-check count as one check each; a missing or empty report is a failure.
import { readFileSync } from 'node:fs';

const [file, checksFailedArg = '0'] = process.argv.slice(2);
const checksFailed = Number(checksFailedArg) || 0;
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A test file that failed outside its tests (import error, failing beforeAll) counts as one failure.
  for (const file of report.testResults ?? []) {
    const results = file.assertionResults ?? [];
    if (file.status === 'failed' && !results.some((a) => a.status === 'failed')) failed += 1;
  }
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
} catch (err) {
  console.error(`no test report: ${err.message}`);
  failed += 1;
}
if (passed + failed === 0) failed = 1; // a run that ran no test is not a pass
passed += 2 - checksFailed;
failed += checksFailed;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
