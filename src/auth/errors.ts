/** An authentication or authorisation failure with AList's code and exact message. */
export class AuthError extends Error {
  constructor(readonly code: 400 | 401 | 402 | 403 | 404 | 410 | 429, message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/** Exact messages clients match on (reference §2.2), in one place. */
export const AuthMessages = {
  guestDisabled: 'Guest user is disabled, login please',
  invalidated: 'token is invalidated',
  notAToken: "that's not even a token",
  expired: 'token is expired',
  notActive: 'token not active yet',
  passwordChanged: 'Password has been changed, login please',
  userDisabled: 'Current user is disabled, replace please',
  userMissing: 'failed find user: record not found',
  notAdmin: 'You are not an admin',
  guest: 'You are a guest',
  badCredentials: 'username or password is incorrect',
  bad2fa: 'Invalid 2FA code',
  tooMany: 'Too many unsuccessful sign-in attempts have been made using an incorrect username or password, Try again later.',
  guestProfile: 'Guest user can not update profile',
  permission: 'permission denied',
  metaPassword: 'password is incorrect or you have no permission',
  relativePath: 'access using relative path is not allowed',
  tokenExpired: 'API token has expired',
  tokenUnknown: 'unknown API token',
  scope: 'API token scope does not allow this',
  prefix: 'path is outside the API token\'s path prefix',
  tokenRevoked: 'API token has been revoked',
} as const;
