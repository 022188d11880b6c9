import type { Db } from '../client.js';
import { AuditRepository } from './audit.js';
import { LeaseRepository } from './leases.js';
import { DavLockRepository } from './dav-locks.js';
import { DavPropRepository } from './dav-props.js';
import { MetaRepository } from './metas.js';
import { SettingRepository } from './settings.js';
import { ShareRepository } from './shares.js';
import { StorageRepository } from './storages.js';
import { RevokedSessionRepository, TokenRepository } from './tokens.js';
import { UserRepository } from './users.js';

export interface Repositories {
  leases: LeaseRepository;
  storages: StorageRepository;
  users: UserRepository;
  settings: SettingRepository;
  metas: MetaRepository;
  tokens: TokenRepository;
  revokedSessions: RevokedSessionRepository;
  davLocks: DavLockRepository;
  davProps: DavPropRepository;
  audit: AuditRepository;
  shares: ShareRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    leases: new LeaseRepository(db),
    storages: new StorageRepository(db),
    users: new UserRepository(db),
    settings: new SettingRepository(db),
    metas: new MetaRepository(db),
    tokens: new TokenRepository(db),
    revokedSessions: new RevokedSessionRepository(db),
    davLocks: new DavLockRepository(db),
    davProps: new DavPropRepository(db),
    audit: new AuditRepository(db),
    shares: new ShareRepository(db),
  };
}

export type { DavLockDepth, DavLockRecord, DavLockScope } from './dav-locks.js';
export type { DavPropChange, DavPropRecord } from './dav-props.js';
export type { AuditInput, AuditRecord } from './audit.js';
export type { Page, PageOptions } from './mapping.js';
export type { MetaInput, MetaPatch, MetaRecord } from './metas.js';
export type { SettingInput, SettingRecord } from './settings.js';
export type { ShareInput, SharePatch, ShareRecord } from './shares.js';
export type { SaveStateOptions, StorageInput, StoragePatch, StorageRecord } from './storages.js';
export type { ApiTokenInput, ApiTokenRecord, ApiTokenWithUser, TokenScope } from './tokens.js';
export { UserRole, type UserInput, type UserPatch, type UserRecord, type UserRoleValue } from './users.js';
export { AuditRepository, DavLockRepository, ShareRepository, DavPropRepository, MetaRepository, RevokedSessionRepository, SettingRepository, StorageRepository, TokenRepository, UserRepository };
