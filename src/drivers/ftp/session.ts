import { Client, type FileInfo } from 'basic-ftp';
import { FsError } from '../../core/errors.js';
import type { SessionFactory } from '../shared/session-pool.js';
import type { Entry } from '../../core/storage/index.js';
import { ftpError } from './ftp.errors.js';

export type FtpTls = 'none' | 'explicit' | 'implicit';

export interface FtpConnectSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  tls: FtpTls;
  tlsInsecureSkipVerify: boolean;
  /** Control/data socket inactivity timeout, in ms. */
  timeoutMs: number;
}

/** One logged-in control connection; it runs one command or transfer at a time. */
export interface FtpSession {
  client: Client;
  /** MLST is available (stat without a listing). */
  mlst: boolean;
  /** MFMT is available (set a file's modification time). */
  mfmt: boolean;
}

/** Logs in; rejects with an FsError and closes the half-made connection on failure or abort. */
export async function connectFtp(settings: FtpConnectSettings, signal: AbortSignal): Promise<FtpSession> {
  if (signal.aborted) throw new FsError('aborted', 'FTP connect aborted');
  const client = new Client(settings.timeoutMs);
  const onAbort = (): void => client.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.access({
      host: settings.host,
      port: settings.port,
      user: settings.username || 'anonymous',
      password: settings.password || (settings.username ? '' : 'anonymous@'),
      secure: settings.tls === 'none' ? false : settings.tls === 'implicit' ? 'implicit' : true,
      secureOptions: { rejectUnauthorized: !settings.tlsInsecureSkipVerify, servername: settings.host },
    });
    const features = await client.features();
    return { client, mlst: features.has('MLST'), mfmt: features.has('MFMT') };
  } catch (err) {
    client.close();
    if (signal.aborted) throw new FsError('aborted', 'FTP connect aborted', { cause: err });
    throw ftpError(err, `connect to ${settings.host}:${settings.port}`, '');
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export function ftpSessionFactory(settings: FtpConnectSettings): SessionFactory<FtpSession> {
  return {
    create: (signal) => connectFtp(settings, signal),
    // Closing the sockets is certain even mid-transfer; a polite QUIT could wait behind a stuck transfer.
    destroy: async (s) => s.client.close(),
    isHealthy: (s) => !s.client.closed,
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Parses the date column of a Unix-style LIST line ("Mar 04 05:06" or "Mar 04  2021"), read as
 * UTC. A date without a year is in the last twelve months. Undefined when it is not that format.
 */
export function parseListDate(raw: string, now = new Date()): Date | undefined {
  const m = /^([A-Za-z]{3})\s+(\d{1,2})\s+(?:(\d{1,2}):(\d{2})|(\d{4}))$/.exec(raw.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[1] ?? '').toLowerCase());
  if (month < 0) return undefined;
  const day = Number(m[2]);
  if (m[5] !== undefined) return new Date(Date.UTC(Number(m[5]), month, day));
  let date = new Date(Date.UTC(now.getUTCFullYear(), month, day, Number(m[3]), Number(m[4])));
  if (date.getTime() > now.getTime() + 86_400_000) date = new Date(Date.UTC(now.getUTCFullYear() - 1, month, day, Number(m[3]), Number(m[4])));
  return date;
}

/** An Entry from one listed item (MLSD gives modifiedAt; LIST only a raw date). */
export function entryOf(info: FileInfo, name = info.name): Entry {
  const isDir = info.isDirectory;
  const entry: Entry = { name, isDir, size: isDir ? 0 : Math.max(0, info.size) };
  const mtime = info.modifiedAt ?? (info.rawModifiedAt ? parseListDate(info.rawModifiedAt) : undefined);
  if (mtime && !Number.isNaN(mtime.getTime())) entry.mtime = mtime;
  return entry;
}

/** "YYYYMMDDHHMMSS" in UTC, as MFMT takes it. */
export function mfmtTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
