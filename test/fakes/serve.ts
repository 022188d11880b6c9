import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port; `close` destroys open (and hanging) sockets too. */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'InternalError', message: err instanceof Error ? err.message : String(err) }));
      } else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
