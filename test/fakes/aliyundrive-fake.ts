import type { IncomingMessage, ServerResponse } from 'node:http';
import { AliError, AliFiles } from './aliyundrive-fake-files.js';
import { Faults, readBody, readJson, sendJson } from './faults.js';
import { serve, type FakeServer } from './serve.js';
import { TokenIssuer, type IssuerOptions } from './token-issuer.js';
import { FakeTree } from './tree.js';

export const ALI_CLIENT_ID = 'fake-client-id';
export const ALI_CLIENT_SECRET = 'fake-client-secret';

type Body = Record<string, unknown>;
type Handler = (b: Body) => Body;

/**
 * A fake of AliyunDrive Open (openapi.alipan.com): `POST /oauth/access_token`, the
 * `/adrive/v1.0/...` JSON endpoints, part upload URLs (`PUT /upload/...`) and download URLs
 * (`GET /download/...`, with Range), over an in-memory tree. Errors are `{ code, message }` with
 * the provider's codes. Faults (see Faults) can be switched on per target at runtime; the token
 * issuer rotates refresh tokens (see TokenIssuer for the grace rule).
 */
export class AliyunDriveFake {
  readonly faults = new Faults();
  readonly tree = new FakeTree('root');
  readonly issuer: TokenIssuer;
  readonly driveId = 'resource-drive-1';
  readonly files: AliFiles;
  private server: FakeServer | undefined;
  readonly calls: string[] = [];

  private constructor(o: IssuerOptions) {
    this.issuer = new TokenIssuer(o);
    this.files = new AliFiles(this.tree, this.driveId, () => this.url);
  }

  static async start(o: IssuerOptions = {}): Promise<AliyunDriveFake> {
    const fake = new AliyunDriveFake(o);
    fake.server = await serve((req, res) => fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return this.server?.url ?? '';
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private readonly api: Record<string, Handler> = {
    '/adrive/v1.0/user/getDriveInfo': () => ({ user_id: 'u1', name: 'fake user', default_drive_id: 'default-drive-1', resource_drive_id: this.driveId, backup_drive_id: 'backup-drive-1' }),
    '/adrive/v1.0/user/getSpaceInfo': () => ({ personal_space_info: { used_size: this.usedBytes(), total_size: 1024 ** 4 } }),
    '/adrive/v1.0/openFile/list': (b) => this.files.list(b),
    '/adrive/v1.0/openFile/get_by_path': (b) => this.files.getByPath(b),
    '/adrive/v1.0/openFile/get': (b) => fileOf(this.files, b),
    '/adrive/v1.0/openFile/getDownloadUrl': (b) => this.files.downloadUrl(b),
    '/adrive/v1.0/openFile/create': (b) => this.files.create(b),
    '/adrive/v1.0/openFile/getUploadUrl': (b) => this.files.uploadUrls(b),
    '/adrive/v1.0/openFile/complete': (b) => this.files.complete(b),
    '/adrive/v1.0/openFile/update': (b) => this.files.update(b),
    '/adrive/v1.0/openFile/move': (b) => this.files.move(b),
    '/adrive/v1.0/openFile/copy': (b) => this.files.copy(b),
    '/adrive/v1.0/openFile/recyclebin/trash': (b) => this.files.trash(b, false),
    '/adrive/v1.0/openFile/delete': (b) => this.files.trash(b, true),
  };

  private usedBytes(): number {
    let n = 0;
    for (const node of this.tree.nodes.values()) n += node.data.length;
    return n;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.calls.push(`${req.method ?? ''} ${url.pathname}`);
    const aliErr = (status: number) => ({ code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: `fault injected (${status})` });
    if (url.pathname === '/oauth/access_token') {
      if (await this.faults.apply('token', req, res, aliErr)) return;
      return this.token(req, res);
    }
    if (url.pathname.startsWith('/upload/')) return this.putPart(url, req, res);
    if (url.pathname.startsWith('/download/')) {
      if (await this.faults.apply('download', req, res, aliErr)) return;
      return this.download(url, req, res);
    }
    const handler = this.api[url.pathname];
    if (!handler || req.method !== 'POST') return sendJson(res, 404, { code: 'NotFound', message: `no route ${url.pathname}` });
    if (await this.faults.apply('api', req, res, aliErr)) return;
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const check = this.issuer.use(auth);
    if (check !== 'ok') {
      req.resume();
      const code = check === 'expired' ? 'AccessTokenExpired' : 'AccessTokenInvalid';
      return sendJson(res, 401, { code, message: check === 'expired' ? 'AccessToken is expired' : 'AccessToken is invalid. ErrValidateTokenFailed' });
    }
    const body = await readJson(req);
    try {
      sendJson(res, 200, handler(body));
    } catch (err) {
      if (err instanceof AliError) return sendJson(res, err.status, { code: err.code, message: err.message });
      throw err;
    }
  }

  /** `POST /oauth/access_token` with the app's client id and secret. */
  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const b = await readJson(req);
    if (b.client_id !== ALI_CLIENT_ID || b.client_secret !== ALI_CLIENT_SECRET) {
      return sendJson(res, 400, { code: 'InvalidParameter.ClientId', message: 'The input parameter client_id is not valid.' });
    }
    if (b.grant_type !== 'refresh_token') return sendJson(res, 400, { code: 'InvalidParameter.GrantType', message: 'The input parameter grant_type is not valid.' });
    if (this.faults.get('token')?.kind === 'reject') return sendJson(res, 400, { code: 'InvalidParameter.RefreshToken', message: 'The input parameter refresh_token is not valid.' });
    const out = this.issuer.refresh(String(b.refresh_token ?? ''));
    if (!out.ok) return sendJson(res, 400, { code: 'InvalidParameter.RefreshToken', message: `The input parameter refresh_token is not valid. ${out.reason}` });
    sendJson(res, 200, { token_type: 'Bearer', access_token: out.accessToken, refresh_token: out.refreshToken, expires_in: out.expiresInSec });
  }

  private async putPart(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [, , uploadId = '', part = ''] = url.pathname.split('/');
    const upload = this.files.uploads.get(uploadId);
    if (req.method !== 'PUT' || !upload) {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchUpload</Code></Error>');
      return;
    }
    upload.parts.set(Number(part), await readBody(req));
    res.writeHead(200, { etag: `"${part}"`, 'content-length': 0 }).end();
  }

  private download(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const id = url.pathname.split('/')[2] ?? '';
    const expires = Number(url.searchParams.get('x-oss-expires'));
    const node = this.tree.get(id);
    if (!node || !(expires > Date.now())) {
      res.writeHead(node ? 403 : 404, { 'content-type': 'application/xml' }).end(`<Error><Code>${node ? 'AccessDenied' : 'NoSuchKey'}</Code></Error>`);
      return;
    }
    sendRange(node.data, req, res);
  }
}

function fileOf(files: AliFiles, b: Body): Body {
  const n = files.node(b.file_id);
  return { drive_id: files.driveId, file_id: n.id, parent_file_id: n.parentId, name: n.name, type: n.type, size: n.data.length, created_at: n.createdAt.toISOString(), updated_at: n.updatedAt.toISOString() };
}

/** Answers a GET with the whole body or the one byte range asked for (bytes=a-b, a-, -n). */
export function sendRange(data: Buffer, req: IncomingMessage, res: ServerResponse): void {
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (!m || data.length === 0) {
    res.writeHead(200, { 'content-length': data.length, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' }).end(data);
    return;
  }
  let start = m[1] === '' ? data.length - Number(m[2]) : Number(m[1]);
  let end = m[1] === '' || m[2] === '' ? data.length - 1 : Math.min(Number(m[2]), data.length - 1);
  start = Math.max(0, start);
  if (start >= data.length || end < start) {
    res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    return;
  }
  end = Math.min(end, data.length - 1);
  res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${data.length}`, 'content-type': 'application/octet-stream' });
  res.end(data.subarray(start, end + 1));
}
