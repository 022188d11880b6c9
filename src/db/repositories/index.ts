import type { Db } from '../client.js';
import { MetaRepository } from './metas.js';
import { SettingRepository } from './settings.js';
import { StorageRepository } from './storages.js';
import { RevokedSessionRepository, TokenRepository } from './tokens.js';
import { UserRepository } from './users.js';

export interface Repositories {
  storages: StorageRepository;
  users: UserRepository;
  settings: SettingRepository;
  metas: MetaRepository;
  tokens: TokenRepository;
  revokedSessions: RevokedSessionRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    storages: new StorageRepository(db),
    users: new UserRepository(db),
    settings: new SettingRepository(db),
    metas: new MetaRepository(db),
    tokens: new TokenRepository(db),
    revokedSessions: new RevokedSessionRepository(db),
  };
}

export type { Page, PageOptions } from './mapping.js';
export type { MetaInput, MetaPatch, MetaRecord } from './metas.js';
export type { SettingInput, SettingRecord } from './settings.js';
export type { SaveStateOptions, StorageInput, StoragePatch, StorageRecord } from './storages.js';
export type { ApiTokenInput, ApiTokenRecord, ApiTokenWithUser, TokenScope } from './tokens.js';
export { UserRole, type UserInput, type UserPatch, type UserRecord, type UserRoleValue } from './users.js';
export { MetaRepository, RevokedSessionRepository, SettingRepository, StorageRepository, TokenRepository, UserRepository };
