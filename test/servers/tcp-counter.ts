import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ConnectionStats {
  /** Connections accepted since start. */
  total: number;
  /** Connections open now. */
  open: number;
  /** Most connections open at once. */
  peak: number;
}

export interface TcpCounter {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  stats(): ConnectionStats;
  /** Starts a new peak measurement from the connections open now. */
  resetPeak(): void;
  /** Polls until `check` holds (bounded); throws with the counts when it never does. */
  waitFor(check: (s: ConnectionStats) => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A counting TCP proxy on 127.0.0.1: every connection a client opens is piped to the target and
 * counted, so a test sees exactly how many upstream connections a driver opens and keeps open.
 */
export async function startTcpCounter(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpCounter> {
  const stats: ConnectionStats = { total: 0, open: 0, peak: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    stats.total++;
    stats.open++;
    stats.peak = Math.max(stats.peak, stats.open);
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    let closed = false;
    const done = (): void => {
      if (closed) return;
      closed = true;
      stats.open--;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats }),
    resetPeak: () => {
      stats.peak = stats.open;
    },
    async waitFor(check, what) {
      for (let i = 0; i < 1000; i++) {
        if (check({ ...stats })) return;
        await sleep(10);
      }
      throw new Error(`${what} never happened: ${JSON.stringify(stats)}`);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
