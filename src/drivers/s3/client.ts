import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface S3ClientSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  forcePathStyle: boolean;
  /** Upper bound on sockets this mount opens to the endpoint. */
  maxConnections: number;
}

export interface OwnedS3Client {
  client: S3Client;
  /** Destroys the client and every socket its agents hold. */
  destroy(): void;
  /** Sockets the agents hold now. */
  connectionStats(): { open: number; idle: number; busy: number; queued: number };
}

function count(table: NodeJS.ReadOnlyDict<unknown[]>): number {
  let n = 0;
  for (const list of Object.values(table)) n += list?.length ?? 0;
  return n;
}

/** Timeouts for every request; the socket timeout is an idle timeout, so long transfers are fine. */
const CONNECT_TIMEOUT_MS = 15_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/**
 * Builds an S3 client over a request handler and keep-alive agents of its own (never the SDK's
 * defaults and never the environment's CA bundle settings), bounded to `maxConnections` sockets.
 * Checksums are only computed where S3 requires them, which every S3-compatible server accepts.
 */
export function createS3Client(s: S3ClientSettings): OwnedS3Client {
  const agentOptions = { keepAlive: true, maxSockets: s.maxConnections, maxFreeSockets: s.maxConnections, scheduling: 'lifo' as const };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const requestHandler = new NodeHttpHandler({
    httpAgent,
    httpsAgent,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
  });
  const anonymous = s.accessKeyId === '' && s.secretAccessKey === '';
  const client = new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    requestHandler,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    credentials: anonymous
      ? { accessKeyId: '', secretAccessKey: '' }
      : { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}) },
    // Public buckets: send requests unsigned rather than with an empty key.
    ...(anonymous ? { signer: { sign: async (request) => request } } : {}),
  });
  return {
    client,
    connectionStats() {
      const busy = count(httpAgent.sockets) + count(httpsAgent.sockets);
      const idle = count(httpAgent.freeSockets) + count(httpsAgent.freeSockets);
      return { open: busy + idle, idle, busy, queued: count(httpAgent.requests) + count(httpsAgent.requests) };
    },
    destroy() {
      client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
