import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
}

let made: TestCert | undefined;

/**
 * A self-signed certificate for 127.0.0.1 and localhost (one per test process), made with the
 * openssl command (scripts/apt-packages.txt). No client trusts it: a driver connects only with
 * its skip-verify option, or with the certificate given as a CA.
 */
export function selfSignedCert(): TestCert {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'filebridge-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=filebridge-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'pipe' });
    made = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
