import { FsError } from '../errors.js';
import type { SiteView, Tree } from './index.js';

/** A tree with nothing in it, for drivers opened outside a server (tests, tools). */
export const EMPTY_TREE: Tree = {
  stat: async (path) => {
    throw new FsError('not_found', `${path}: no tree here`);
  },
  list: async (path) => {
    throw new FsError('not_found', `${path}: no tree here`);
  },
  read: async (path) => {
    throw new FsError('not_found', `${path}: no tree here`);
  },
  write: async (path) => {
    throw new FsError('not_supported', `${path}: no tree here`);
  },
  mkdir: async (path) => {
    throw new FsError('not_supported', `${path}: no tree here`);
  },
  remove: async (path) => {
    throw new FsError('not_supported', `${path}: no tree here`);
  },
  move: async (from) => {
    throw new FsError('not_supported', `${from}: no tree here`);
  },
  link: async () => undefined,
};

/** A server with no public URL that signs nothing and lets no URL reach a private address, for drivers opened outside a server. */
export const NO_SITE: SiteView = {
  baseUrl: () => '',
  linkSign: () => undefined,
  allowPrivateAddresses: () => false,
};
