export { TokenManager, type TokenManagerOptions, type TokenState, type TokenStatus } from './token-manager.js';
export { oauthRoute, onlineRoute, readGrant, RefreshRejected, tokenCall, type RefreshRoute, type TokenGrant } from './routes.js';
export { DEFAULT_POLICY, type RefreshPolicyOptions } from './policy.js';
export { seedFingerprint, type PersistedTokens, type TokenSet } from './state.js';
