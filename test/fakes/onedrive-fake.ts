import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendRange } from './aliyundrive-fake.js';
import { Faults, readBody, readJson, sendJson } from './faults.js';
import { serve, type FakeServer } from './serve.js';
import { TokenIssuer, type IssuerOptions } from './token-issuer.js';
import { FakeTree, type FakeNode } from './tree.js';

export const MS_CLIENT_ID = 'fake-ms-client';
export const MS_CLIENT_SECRET = 'fake-ms-secret';

class GraphErr extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

interface Session {
  id: string;
  parentId: string;
  name: string;
  size: number;
  received: Buffer[];
  next: number;
}

/**
 * A fake of Microsoft Graph for OneDrive, over a case-insensitive in-memory tree:
 * `POST /common/oauth2/v2.0/token` (form; rotating refresh tokens, `invalid_grant`), and under
 * `/v1.0/me/drive` (or `/v1.0/sites/{id}/drive`): `root`, `root:/path:`, `items/{id}`, with
 * `/children` (`$top`, `@odata.nextLink`), `/content` (GET 302 to a download URL with Range; PUT
 * simple upload), `/createUploadSession` (PUT ranges with Content-Range: 202 then 201), PATCH
 * (rename/move with conflictBehavior), DELETE. Errors are `{ error: { code, message } }`.
 */
export class OnedriveFake {
  readonly faults = new Faults();
  readonly tree = new FakeTree('root-id', true);
  readonly issuer: TokenIssuer;
  readonly sessions = new Map<string, Session>();
  readonly calls: string[] = [];
  private server: FakeServer | undefined;

  private constructor(o: IssuerOptions) {
    this.issuer = new TokenIssuer(o);
  }

  static async start(o: IssuerOptions = {}): Promise<OnedriveFake> {
    const fake = new OnedriveFake(o);
    fake.server = await serve((req, res) => fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return this.server?.url ?? '';
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.calls.push(`${req.method ?? ''} ${url.pathname}`);
    const msErr = (status: number) => ({ error: { code: status === 429 ? 'activityLimitReached' : 'serviceNotAvailable', message: `fault injected (${status})` } });
    if (url.pathname === '/common/oauth2/v2.0/token') {
      if (await this.faults.apply('token', req, res, (s) => ({ error: 'temporarily_unavailable', error_description: `fault injected (${s})` }))) return;
      return this.token(req, res);
    }
    if (url.pathname.startsWith('/upload-session/')) return this.putRange(url, req, res);
    if (url.pathname.startsWith('/download/')) {
      if (await this.faults.apply('download', req, res, msErr)) return;
      const node = this.tree.get(url.pathname.split('/')[2] ?? '');
      if (!node || !(Number(url.searchParams.get('expires')) > Date.now())) return void res.writeHead(node ? 403 : 404).end();
      return sendRange(node.data, req, res);
    }
    if (await this.faults.apply('api', req, res, msErr)) return;
    const check = this.issuer.use(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (check !== 'ok') {
      req.resume();
      return sendJson(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    try {
      await this.graph(url, req, res);
    } catch (err) {
      if (!(err instanceof GraphErr)) throw err;
      req.resume();
      sendJson(res, err.status, { error: { code: err.code, message: err.message } });
    }
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString());
    if (form.get('client_id') !== MS_CLIENT_ID) return sendJson(res, 400, { error: 'unauthorized_client', error_description: "AADSTS700016: Application with identifier was not found in the directory." });
    if (form.get('grant_type') !== 'refresh_token') return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003' });
    const rejected = { error: 'invalid_grant', error_description: 'AADSTS70000: The provided grant has expired due to it being revoked, a fresh auth token is needed.', error_codes: [70000] };
    if (this.faults.get('token')?.kind === 'reject') return sendJson(res, 400, rejected);
    const out = this.issuer.refresh(form.get('refresh_token') ?? '');
    if (!out.ok) return sendJson(res, 400, rejected);
    sendJson(res, 200, { token_type: 'Bearer', scope: 'Files.ReadWrite.All offline_access', expires_in: out.expiresInSec, ext_expires_in: out.expiresInSec, access_token: out.accessToken, refresh_token: out.refreshToken });
  }

  /** Routes `/v1.0/{me|sites/x}/drive/...`. */
  private async graph(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/v1\.0\/(?:me|sites\/[^/]+)\/drive(\/.*)?$/.exec(url.pathname);
    if (!m) throw new GraphErr(400, 'invalidRequest', `unknown route ${url.pathname}`);
    const rest = m[1] ?? '';
    if (rest === '') return sendJson(res, 200, { id: 'drive-1', driveType: 'personal', quota: { total: 1024 ** 4, used: this.used(), remaining: 1024 ** 4 - this.used() } });
    const byPath = /^\/root:([^:]*):(\/[A-Za-z]+)?$/.exec(rest);
    const byRoot = /^\/root(\/[A-Za-z]+)?$/.exec(rest);
    const byId = /^\/items\/([^/]+)(\/[A-Za-z]+)?$/.exec(rest);
    const path = byPath ? byPath[1]?.split('/').map(decodeURIComponent).join('/') ?? '' : '';
    const target = byPath ? this.tree.byPath(path) : byRoot ? this.tree.get('root-id') : byId ? this.tree.get(decodeURIComponent(byId[1] ?? '')) : undefined;
    const action = (byPath?.[2] ?? byRoot?.[1] ?? byId?.[2] ?? '').slice(1);
    const method = req.method ?? 'GET';
    if (action === 'content' && method === 'PUT' && byPath) return sendJson(res, 201, this.json(await this.simplePut(path, req)));
    if (action === 'createUploadSession' && byPath) return sendJson(res, 200, await this.createSession(path, req));
    if (!target) throw new GraphErr(404, 'itemNotFound', 'The resource could not be found.');
    if (action === 'children' && method === 'GET') return sendJson(res, 200, this.children(target, url));
    if (action === 'children' && method === 'POST') return sendJson(res, 201, this.json(this.mkdir(target, await readJson(req))));
    if (action === 'content' && method === 'GET') {
      if (target.type !== 'file') throw new GraphErr(400, 'invalidRequest', 'not a file');
      req.resume();
      res.writeHead(302, { location: `${this.url}/download/${target.id}?expires=${Date.now() + 3_600_000}&sig=${randomBytes(6).toString('hex')}` }).end();
      return;
    }
    if (action === '' && method === 'GET') return sendJson(res, 200, this.json(target));
    if (action === '' && method === 'PATCH') return sendJson(res, 200, this.json(this.patch(target, await readJson(req), url)));
    if (action === '' && method === 'DELETE') {
      req.resume();
      this.tree.remove(target.id);
      res.writeHead(204).end();
      return;
    }
    throw new GraphErr(400, 'invalidRequest', `unsupported ${method} ${rest}`);
  }

  private json(n: FakeNode): Record<string, unknown> {
    const base = { id: n.id, name: n.name, size: n.data.length, createdDateTime: n.createdAt.toISOString(), lastModifiedDateTime: n.updatedAt.toISOString(), parentReference: { driveId: 'drive-1', id: n.parentId } };
    if (n.type === 'folder') return { ...base, size: 0, folder: { childCount: this.tree.children(n.id).length } };
    return { ...base, file: { mimeType: 'application/octet-stream', hashes: { sha1Hash: FakeTree.sha1(n.data) } } };
  }

  private children(dir: FakeNode, url: URL): Record<string, unknown> {
    const top = Math.min(Number(url.searchParams.get('$top') ?? 200) || 200, 1000);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const all = this.tree.children(dir.id);
    const next = skip + top < all.length ? new URL(url.toString().replace('http://fake', this.url)) : undefined;
    next?.searchParams.set('$skiptoken', String(skip + top));
    return { value: all.slice(skip, skip + top).map((n) => this.json(n)), ...(next ? { '@odata.nextLink': next.toString() } : {}) };
  }

  private mkdir(parent: FakeNode, b: Record<string, unknown>): FakeNode {
    const name = String(b.name ?? '');
    if (this.tree.child(parent.id, name)) {
      if (b['@microsoft.graph.conflictBehavior'] === 'fail') throw new GraphErr(409, 'nameAlreadyExists', 'Name already exists');
      return this.tree.child(parent.id, name) as FakeNode;
    }
    return this.tree.create(parent.id, name, 'folder');
  }

  private patch(n: FakeNode, b: Record<string, unknown>, url: URL): FakeNode {
    const parentId = (b.parentReference as { id?: string } | undefined)?.id ?? n.parentId;
    const name = typeof b.name === 'string' ? b.name : n.name;
    const clash = this.tree.child(parentId, name);
    if (clash && clash.id !== n.id) {
      if (url.searchParams.get('@microsoft.graph.conflictBehavior') !== 'replace') throw new GraphErr(409, 'nameAlreadyExists', 'Name already exists');
      this.tree.remove(clash.id);
    }
    if (this.tree.isWithin(parentId, n.id)) throw new GraphErr(400, 'invalidRequest', 'cannot move into itself');
    n.parentId = parentId;
    n.name = name;
    return n;
  }

  /** Puts `data` at `path` (parent must exist), replacing any file there. */
  private place(path: string, data: Buffer): FakeNode {
    const parent = this.tree.byPath(path.slice(0, path.lastIndexOf('/')) || '/');
    if (!parent || parent.type !== 'folder') throw new GraphErr(404, 'itemNotFound', 'The parent folder does not exist.');
    const name = path.slice(path.lastIndexOf('/') + 1);
    const old = this.tree.child(parent.id, name);
    if (old?.type === 'folder') throw new GraphErr(409, 'nameAlreadyExists', 'A folder has this name');
    if (old) this.tree.remove(old.id);
    return this.tree.create(parent.id, name, 'file', { data });
  }

  private async simplePut(path: string, req: IncomingMessage): Promise<FakeNode> {
    const data = await readBody(req);
    if (data.length > 4 * 1024 * 1024) throw new GraphErr(413, 'requestTooLarge', 'use an upload session');
    return this.place(path, data);
  }

  private async createSession(path: string, req: IncomingMessage): Promise<Record<string, unknown>> {
    await readJson(req);
    const s: Session = { id: randomBytes(8).toString('hex'), parentId: '', name: path, size: -1, received: [], next: 0 };
    this.sessions.set(s.id, s);
    return { uploadUrl: `${this.url}/upload-session/${s.id}`, expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), nextExpectedRanges: ['0-'] };
  }

  private async putRange(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = this.sessions.get(url.pathname.split('/')[2] ?? '');
    if (!s) return void (req.resume(), sendJson(res, 404, { error: { code: 'itemNotFound', message: 'upload session not found' } }));
    if (req.method === 'DELETE') return void (this.sessions.delete(s.id), req.resume(), res.writeHead(204).end());
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
    const data = await readBody(req);
    if (!m || Number(m[1]) !== s.next || Number(m[2]) - Number(m[1]) + 1 !== data.length) {
      return sendJson(res, 416, { error: { code: 'invalidRange', message: `expected range starting at ${s.next}` } });
    }
    s.size = Number(m[3]);
    s.received.push(data);
    s.next += data.length;
    if (s.next < s.size) return sendJson(res, 202, { expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), nextExpectedRanges: [`${s.next}-`] });
    this.sessions.delete(s.id);
    try {
      sendJson(res, 201, this.json(this.place(s.name, Buffer.concat(s.received))));
    } catch (err) {
      if (err instanceof GraphErr) return sendJson(res, err.status, { error: { code: err.code, message: err.message } });
      throw err;
    }
  }

  private used(): number {
    let n = 0;
    for (const node of this.tree.nodes.values()) n += node.data.length;
    return n;
  }
}
