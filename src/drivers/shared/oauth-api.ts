import { FsError } from '../../core/errors.js';
import type { DriverContext, DriverStatus } from '../../core/storage/index.js';
import { HttpClient } from './http.js';
import { oauthRoute, onlineRoute, TokenManager, type RefreshRoute, type TokenStatus } from './oauth/index.js';
import { RestClient, type RestClientOptions } from './rest.js';

/** Options every OAuth cloud driver declares (AList's keys). */
export interface OAuthApiOptions {
  refresh_token: string;
  request_timeout_ms: number;
  max_connections: number;
}

export interface OAuthApiSettings extends Pick<RestClientOptions, 'baseUrl' | 'mapError' | 'tokenRefused'> {
  /** The provider's token endpoint, when the user gave a client id and secret. */
  oauth?: { url: string; clientId: string; clientSecret: string; encoding: 'form' | 'json'; extra?: Record<string, string> } | undefined;
  /** A token helper service, when it is turned on. */
  online?: { url: string; style: 'post' | 'renewapi'; driverTxt?: string } | undefined;
  /** The error when neither route is set up ("Driver: set client_id ..."). */
  noRoute: string;
}

/**
 * One mount's API client for an OAuth cloud driver: the refresh routes the options set up, the
 * TokenManager over them, and the RestClient on a bounded HttpClient of the mount's dispatcher.
 */
export function oauthApi(o: OAuthApiOptions, ctx: DriverContext, s: OAuthApiSettings): { api: RestClient; tokens: TokenManager } {
  const timeoutMs = Math.min(o.request_timeout_ms, 15_000);
  const routes: RefreshRoute[] = [];
  if (s.oauth) routes.push(oauthRoute({ dispatcher: ctx.dispatcher, timeoutMs, ...s.oauth }));
  if (s.online) routes.push(onlineRoute({ dispatcher: ctx.dispatcher, timeoutMs, ...s.online }));
  if (routes.length === 0) throw new FsError('invalid_input', s.noRoute);
  const http = new HttpClient({ dispatcher: ctx.dispatcher, maxInFlight: Math.max(1, Math.floor(o.max_connections)), headersTimeoutMs: o.request_timeout_ms });
  const tokens = new TokenManager({ store: ctx.tokens, seedRefreshToken: o.refresh_token.trim(), routes, logger: ctx.logger, signal: ctx.signal });
  return { tokens, api: new RestClient({ http, tokens, signal: ctx.signal, baseUrl: s.baseUrl, mapError: s.mapError, tokenRefused: s.tokenRefused }) };
}

/** What an OAuth cloud driver does with its tokens besides using them: stop them on close, show their state. */
export abstract class OAuthDriver {
  constructor(protected readonly tokens: TokenManager) {}

  async close(): Promise<void> {
    this.tokens.close();
  }

  /** Which refresh route is in use, token expiry and the last refresh error (for logs and status pages). */
  tokenStatus(): TokenStatus {
    return this.tokens.status();
  }

  status(): DriverStatus {
    return this.tokens.driverStatus();
  }
}
