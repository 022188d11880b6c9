import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ConnectionStats {
  /** Connections accepted since start. */
  total: number;
  /** Connections open now. */
  open: number;
  /** Most connections open at once. */
  peak: number;
  /** Connections the target ended first (a server closing idle or used-up keep-alive sockets). */
  closedByTarget: number;
  /** Connections the client ended after they sat idle for a second or more (its pool's idle timeout). */
  closedIdleByClient: number;
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
  const stats: ConnectionStats = { total: 0, open: 0, peak: 0, closedByTarget: 0, closedIdleByClient: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    stats.total++;
    stats.open++;
    stats.peak = Math.max(stats.peak, stats.open);
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    let closed = false;
    let clientEnded = false;
    let targetEnded = false;
    let lastData = Date.now();
    const active = (): void => void (lastData = Date.now());
    client.on('data', active);
    upstream.on('data', active);
    client.once('end', () => {
      clientEnded = true;
      if (!targetEnded && !closed && Date.now() - lastData >= 1000) stats.closedIdleByClient++;
    });
    upstream.once('end', () => {
      targetEnded = true;
      if (!clientEnded && !closed) stats.closedByTarget++;
    });
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
