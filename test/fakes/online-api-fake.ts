import type { IncomingMessage, ServerResponse } from 'node:http';
import { Faults, readJson, sendJson } from './faults.js';
import { serve, type FakeServer } from './serve.js';
import type { TokenIssuer } from './token-issuer.js';

/**
 * A fake "online API" token helper (AList's `oauth_token_url`, OpenList's `api_url_address`): it
 * exchanges a user's refresh token with the provider using the helper's own app. Two wire forms:
 *  - `POST /alist/ali_open/token` with JSON `{ client_id: "", client_secret: "", grant_type, refresh_token }`
 *    answering like the provider (`{ access_token, refresh_token, expires_in }` or `{ code, message }`);
 *  - `GET /renewapi?refresh_ui=<token>&server_use=true&driver_txt=...` answering
 *    `{ refresh_token, access_token, text }`, with empty tokens and a `text` on failure.
 * It shares the provider fake's TokenIssuer, so tokens it rotates are the provider's tokens.
 */
export class OnlineApiFake {
  readonly faults = new Faults();
  private server: FakeServer | undefined;

  private constructor(private readonly issuer: TokenIssuer) {}

  static async start(issuer: TokenIssuer): Promise<OnlineApiFake> {
    const fake = new OnlineApiFake(issuer);
    fake.server = await serve((req, res) => fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return this.server?.url ?? '';
  }

  /** AList's POST form. */
  get postUrl(): string {
    return `${this.url}/alist/ali_open/token`;
  }

  /** OpenList's GET form. */
  get renewUrl(): string {
    return `${this.url}/renewapi`;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await this.faults.apply('online', req, res, (status) => ({ code: 'HelperError', message: `helper fault (${status})` }))) return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const reject = this.faults.get('online')?.kind === 'reject';
    if (url.pathname === '/renewapi' && req.method === 'GET') {
      const out = reject ? { ok: false as const, reason: 'refused by the helper' } : this.issuer.refresh(url.searchParams.get('refresh_ui') ?? '');
      if (!out.ok) return sendJson(res, 200, { refresh_token: '', access_token: '', text: `failed to refresh token: ${out.reason}` });
      return sendJson(res, 200, { refresh_token: out.refreshToken, access_token: out.accessToken, expires_in: out.expiresInSec, text: '' });
    }
    if (url.pathname === '/alist/ali_open/token' && req.method === 'POST') {
      const b = await readJson(req);
      const out = reject ? { ok: false as const, reason: 'refused by the helper' } : this.issuer.refresh(String(b.refresh_token ?? ''));
      if (!out.ok) return sendJson(res, 400, { code: 'InvalidParameter.RefreshToken', message: `The input parameter refresh_token is not valid. ${out.reason}` });
      return sendJson(res, 200, { token_type: 'Bearer', access_token: out.accessToken, refresh_token: out.refreshToken, expires_in: out.expiresInSec });
    }
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
  }
}
