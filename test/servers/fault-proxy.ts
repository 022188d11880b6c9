import { connect, createServer, type Socket } from 'node:net';

/** What the proxy does with traffic, switchable at any time (it applies to open connections too). */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'latency'; ms: number }
  /** Swallows requests and never answers (a hung upstream). */
  | { kind: 'stall' }
  /** Resets every connection as soon as it sends anything. */
  | { kind: 'reset' }
  /** Passes the first `bytes` a connection sends, then resets it (an upstream lost mid-upload). */
  | { kind: 'reset-after'; bytes: number }
  /** Answers every request with this HTTP status and closes (e.g. 500, 504). */
  | { kind: 'status'; status: number };

export interface FaultProxy {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  set(mode: FaultMode): void;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 429: 'Too Many Requests' };

/**
 * A TCP proxy in front of a real upstream that adds latency, stalls, resets connections or
 * answers with an HTTP error status by rule, so degradation is tested against real protocols.
 */
export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  let mode: FaultMode = { kind: 'pass' };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(targetPort, targetHost);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
    let sent = 0;
    client.on('data', (chunk: Buffer) => {
      const m = mode;
      sent += chunk.length;
      if (m.kind === 'reset-after') {
        if (sent <= m.bytes) upstream.write(chunk);
        else {
          client.resetAndDestroy();
          upstream.destroy();
        }
      } else if (m.kind === 'pass') upstream.write(chunk);
      else if (m.kind === 'latency') setTimeout(() => upstream.write(chunk), m.ms);
      else if (m.kind === 'reset') client.resetAndDestroy();
      else if (m.kind === 'status') {
        client.end(`HTTP/1.1 ${m.status} ${REASONS[m.status] ?? 'Error'}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
        upstream.destroy();
      }
      // stall: the request goes nowhere and nothing comes back.
    });
    upstream.on('data', (chunk: Buffer) => {
      const m = mode;
      if (m.kind === 'pass' || m.kind === 'reset-after') client.write(chunk);
      else if (m.kind === 'latency') setTimeout(() => client.write(chunk), m.ms);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    set: (m) => {
      mode = m;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
