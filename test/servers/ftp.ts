import type { EventEmitter } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import { FtpSrv } from 'ftp-srv';
import { freePort } from './sftp.js';
import { selfSignedCert } from './tls.js';

export interface FtpTestServer {
  host: string;
  port: number;
  /** host:port, as the driver's `address` option takes it. */
  address: string;
  username: string;
  password: string;
  /** Control connections the server has accepted so far. */
  logins(): number;
  /** Every command verb the server has received, in order (e.g. AUTH, PBSZ, PROT, STOR). */
  commands(): string[];
  close(): Promise<void>;
}

/** A logger that says nothing; ftp-srv calls these (and child() per connection). */
function quietLogger(): Record<string, unknown> {
  const noop = (): void => undefined;
  const log: Record<string, unknown> = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };
  log.child = () => log;
  return log;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/**
 * Starts ftp-srv in this process on 127.0.0.1 (a free control port, a free-looking passive range),
 * with login u/p rooted at `dir`. ftp-srv has no MLSD/MLST, so the driver's LIST path is used;
 * its command parser is replaced (see below) so that names with double quotes work.
 */
export async function startFtpServer(dir: string, options: { tls?: 'none' | 'explicit' | 'implicit' } = {}): Promise<FtpTestServer> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const pasvMin = await freePort();
  const tls = options.tls ?? 'none';
  const server = new FtpSrv({
    // With a certificate, explicit TLS (AUTH TLS) is offered on ftp://; ftps:// is implicit TLS.
    url: `${tls === 'implicit' ? 'ftps' : 'ftp'}://127.0.0.1:0`,
    ...(tls === 'none' ? {} : { tls: selfSignedCert() }),
    pasv_url: '127.0.0.1',
    pasv_min: pasvMin,
    pasv_max: Math.min(65535, pasvMin + 200),
    anonymous: false,
    log: quietLogger(),
  });
  // ftp-srv adds process signal handlers that exit the process; a test server must not keep them.
  const added = SIGNALS.map((s) => [s, process.listeners(s).filter((l) => !before.get(s)?.has(l))] as const);
  for (const [signal, listeners] of added) for (const l of listeners) process.off(signal, l);
  // ftp-srv's command parser deletes every `"` from a command line (and takes "-x" words for
  // flags), so names with double quotes cannot round-trip. Parse as RFC 959 says: the verb, one
  // space, then the argument verbatim.
  const seen: string[] = [];
  (server as unknown as EventEmitter).on('connect', ({ connection }: { connection: unknown }) => {
    const commands = (connection as { commands: { parse(message: string): unknown } }).commands;
    commands.parse = (message: string) => {
      const space = message.indexOf(' ');
      const directive = (space < 0 ? message : message.slice(0, space)).trim().toUpperCase();
      seen.push(directive === 'PROT' ? `PROT ${message.slice(space + 1).trim()}` : directive);
      const arg = space < 0 ? '' : message.slice(space + 1);
      return { directive, arg: arg === '' ? null : arg, flags: [], raw: message };
    };
  });
  let logins = 0;
  server.on('login', ({ username, password }, resolve, reject) => {
    logins++;
    if (username === 'u' && password === 'p') resolve({ root: dir });
    else reject(new Error('bad login'));
  });
  await server.listen();
  const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    username: 'u',
    password: 'p',
    logins: () => logins,
    commands: () => [...seen],
    async close() {
      await server.close();
    },
  };
}
