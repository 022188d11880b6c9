import SftpClient from 'ssh2-sftp-client';
import type { Client as SshClient, FileEntryWithStats, OpenMode, SFTPWrapper, Stats } from 'ssh2';
import { FsError } from '../../core/errors.js';
import type { SessionFactory } from '../shared/session-pool.js';
import { connectionError } from './sftp.errors.js';

export interface SftpConnectSettings {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  /** Deadline for TCP connect + SSH handshake + auth, in ms. */
  readyTimeoutMs: number;
}

/** One SSH connection with its SFTP channel; owned by the session pool. */
export interface SftpSession {
  client: SftpClient;
  sftp: SFTPWrapper;
  /** Set once the connection errored, ended or closed; the pool then destroys it. */
  broken: boolean;
  /** Resolves when the underlying connection has closed. */
  gone: Promise<void>;
  /** The server offers posix-rename@openssh.com (rename that replaces the target atomically). */
  posixRename: boolean;
}

function rawClient(client: SftpClient): SshClient {
  return (client as unknown as { client: SshClient }).client;
}

/** The SFTP extensions the server announced (ssh2 keeps them on a private field). */
function extensionsOf(sftp: SFTPWrapper): Record<string, string> {
  const ext = (sftp as unknown as { _extensions?: unknown })._extensions;
  return typeof ext === 'object' && ext !== null ? (ext as Record<string, string>) : {};
}

/** Opens one session; rejects with an FsError, and closes the half-made connection on failure or abort. */
export async function connectSession(settings: SftpConnectSettings, signal: AbortSignal): Promise<SftpSession> {
  if (signal.aborted) throw new FsError('aborted', 'SFTP connect aborted');
  let markGone: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (markGone = resolve));
  const state = { broken: false, lastError: undefined as unknown };
  const onEvent = (): void => {
    state.broken = true;
  };
  const client = new SftpClient('filebridge', { error: onEvent, end: onEvent, close: onEvent });
  const raw = rawClient(client);
  raw.on('error', (err: unknown) => {
    state.lastError ??= err;
    state.broken = true;
  });
  raw.on('close', () => {
    state.broken = true;
    markGone();
  });
  const onAbort = (): void => {
    raw.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const sftp = await client.connect({
      host: settings.host,
      port: settings.port,
      username: settings.username,
      password: settings.password || undefined,
      privateKey: settings.privateKey || undefined,
      readyTimeout: settings.readyTimeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
    });
    sftp.on('close', onEvent);
    const session: SftpSession = {
      client,
      sftp,
      get broken() {
        return state.broken;
      },
      set broken(v: boolean) {
        state.broken = v;
      },
      gone,
      posixRename: extensionsOf(sftp)['posix-rename@openssh.com'] !== undefined,
    };
    return session;
  } catch (err) {
    raw.destroy();
    if (signal.aborted) throw new FsError('aborted', 'SFTP connect aborted', { cause: err });
    throw connectionError(state.lastError ?? err, `connect to ${settings.host}:${settings.port}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Ends a session politely, and for certain: the socket is destroyed if the server does not close it soon. */
export async function endSession(session: SftpSession): Promise<void> {
  session.broken = true;
  const raw = rawClient(session.client);
  const force = setTimeout(() => raw.destroy(), 2_000);
  force.unref();
  try {
    raw.end();
    await session.gone;
  } finally {
    clearTimeout(force);
  }
}

export function sftpSessionFactory(settings: SftpConnectSettings): SessionFactory<SftpSession> {
  return {
    create: (signal) => connectSession(settings, signal),
    destroy: endSession,
    isHealthy: (s) => !s.broken,
  };
}

/** Runs one callback-style SFTP request as a promise; errors keep ssh2's numeric status in `code`. */
function call<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (err) {
      reject(err);
    }
  });
}

/** Promise forms of the few raw SFTP requests the driver uses. */
export const ops = {
  stat: (s: SftpSession, p: string) => call<Stats>((cb) => s.sftp.stat(p, cb)),
  readdir: (s: SftpSession, p: string) => call<FileEntryWithStats[]>((cb) => s.sftp.readdir(p, cb)),
  mkdir: (s: SftpSession, p: string) => call<void>((cb) => s.sftp.mkdir(p, cb)),
  rmdir: (s: SftpSession, p: string) => call<void>((cb) => s.sftp.rmdir(p, cb)),
  unlink: (s: SftpSession, p: string) => call<void>((cb) => s.sftp.unlink(p, cb)),
  rename: (s: SftpSession, from: string, to: string) => call<void>((cb) => s.sftp.rename(from, to, cb)),
  posixRename: (s: SftpSession, from: string, to: string) => call<void>((cb) => s.sftp.ext_openssh_rename(from, to, cb)),
  utimes: (s: SftpSession, p: string, t: Date) => call<void>((cb) => s.sftp.utimes(p, t, t, cb)),
  open: (s: SftpSession, p: string, flags: OpenMode) => call<Buffer>((cb) => s.sftp.open(p, flags, cb)),
  close: (s: SftpSession, handle: Buffer) => call<void>((cb) => s.sftp.close(handle, cb)),
};
