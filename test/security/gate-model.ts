import fc from 'fast-check';

/**
 * A plain reference model of the authorization rules (docs/security.md, "One gate"), written
 * without the gate's code: the property tests check the gate, and every door, against it.
 */

export interface ModelMeta {
  id: number;
  path: string;
  password: string;
  pSub: boolean;
  write: boolean;
  wSub: boolean;
}

export interface ModelPrincipal {
  role: 'general' | 'guest' | 'admin';
  permission: number;
  basePath: string;
  token?: { scope: 'read' | 'write' | 'admin'; prefix: string };
}

export type ModelDoor = 'api' | 'webdav' | 'ftp';
export type ModelAction = 'list' | 'read' | 'write' | 'mkdir' | 'rename' | 'move' | 'copy' | 'remove';

export interface ModelAsk {
  door: ModelDoor;
  action: ModelAction;
  path: string;
  target?: string;
  password: string;
}

const B = (n: number) => 2 ** n;
const SEE_HIDDEN = B(0);
const NO_PASSWORD = B(1);
const WRITE = B(3);
const RENAME = B(4);
const MOVE = B(5);
const COPY = B(6);
const REMOVE = B(7);
const DAV_READ = B(8);
const DAV_MANAGE = B(9);
const FTP_READ = B(10);
const FTP_MANAGE = B(11);
const ALL = B(14) - 1;
/** What a read-scoped token loses: writing, renaming, moving, copying, removing, managing, downloading offline, decompressing. */
const WRITE_LIKE = WRITE + RENAME + MOVE + COPY + REMOVE + DAV_MANAGE + FTP_MANAGE + B(13) + B(2);

void SEE_HIDDEN;

/** "/a/b" → ["/", "/a", "/a/b"]. */
function selfAndAncestors(path: string): string[] {
  const out = ['/'];
  let cur = '';
  for (const part of path.split('/').filter((s) => s !== '')) {
    cur += '/' + part;
    out.push(cur);
  }
  return out;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function inside(path: string, top: string): boolean {
  return selfAndAncestors(path).includes(top);
}

export function modelAllows(p: ModelPrincipal, metas: ModelMeta[], ask: ModelAsk, fold: boolean): boolean {
  const norm = (s: string) => (fold ? s.toLowerCase() : s);
  const isAdmin = p.role === 'admin' && (!p.token || p.token.scope === 'admin');
  const readOnly = p.token?.scope === 'read';
  let bits = p.role === 'admin' ? ALL : p.permission;
  if (readOnly) bits = bits - (bits & WRITE_LIKE);
  const has = (bit: number) => (bits & bit) === bit;
  const modifying = ask.action !== 'list' && ask.action !== 'read';

  // 1. Both ends inside the base path and the token's prefix.
  for (const end of [ask.path, ...(ask.target !== undefined ? [ask.target] : [])]) {
    if (!inside(end, p.basePath)) return false;
    if (p.token && !inside(end, p.token.prefix)) return false;
  }
  // 2. Nobody renames, moves or removes their own root.
  if (['rename', 'move', 'remove'].includes(ask.action)) {
    if (ask.path === '/' || ask.path === p.basePath || (p.token && ask.path === p.token.prefix)) return false;
  }
  // 3. A read token changes nothing.
  if (modifying && readOnly) return false;
  // 4. The door's own bit.
  if (ask.door === 'webdav' && !has(modifying ? DAV_MANAGE : DAV_READ)) return false;
  if (ask.door === 'ftp' && !has(modifying ? FTP_MANAGE : FTP_READ)) return false;
  // 5. The action's bits; writing also through a meta's write flag (the nearest meta decides).
  const nearest = (path: string) => {
    const mine = metas.filter((m) => selfAndAncestors(norm(path)).includes(norm(m.path)));
    mine.sort((a, b) => b.path.length - a.path.length);
    return mine[0];
  };
  const metaWrites = (dir: string) => {
    const m = nearest(dir);
    return m !== undefined && m.write && (norm(m.path) === norm(dir) || m.wSub);
  };
  const writable = (dir: string) => has(WRITE) || (!readOnly && metaWrites(dir));
  const target = ask.target ?? ask.path;
  switch (ask.action) {
    case 'write':
    case 'mkdir':
      if (!writable(parentOf(ask.path))) return false;
      break;
    case 'rename':
      if (!has(RENAME)) return false;
      break;
    case 'move':
      if (parentOf(target) === parentOf(ask.path)) {
        if (!has(RENAME)) return false;
      } else if (!has(MOVE) || !writable(parentOf(target))) return false;
      break;
    case 'copy':
      if (!has(COPY) || !writable(parentOf(target))) return false;
      break;
    case 'remove':
      if (!has(REMOVE)) return false;
      break;
    default:
      break;
  }
  // 6. Every folder password on the way to what is touched, and below a carried tree.
  if (isAdmin || has(NO_PASSWORD)) return true;
  const guarding = (path: string) =>
    metas.filter((m) => m.password !== '' && (norm(m.path) === norm(path) || (m.pSub && selfAndAncestors(norm(path)).includes(norm(m.path)))));
  const under = (path: string) => metas.filter((m) => m.password !== '' && norm(m.path) !== norm(path) && selfAndAncestors(norm(m.path)).includes(norm(path)));
  const guards = [...guarding(ask.path)];
  if (ask.action === 'write' || ask.action === 'mkdir') guards.push(...guarding(parentOf(ask.path)));
  if (['rename', 'move', 'copy', 'remove'].includes(ask.action)) guards.push(...under(ask.path));
  if (ask.target !== undefined) guards.push(...guarding(parentOf(ask.target)), ...guarding(ask.target), ...under(ask.target));
  return guards.every((m) => m.password === ask.password);
}

/** Folders and files of a small tree, with case variants (used when the storage folds case). */
export const PATHS = ['/', '/a', '/a/b', '/a/b/c', '/a/B', '/A', '/a/b/f.txt', '/x', '/x/y', '/x/y/g.txt', '/ab'];
export const DIRS = ['/', '/a', '/a/b', '/x', '/x/y'];
export const PASSWORDS = ['', 'p1', 'p2'];

export const metaArb = fc
  .uniqueArray(
    fc.record({
      path: fc.constantFrom(...PATHS.filter((p) => p !== '/')),
      password: fc.constantFrom(...PASSWORDS),
      pSub: fc.boolean(),
      write: fc.boolean(),
      wSub: fc.boolean(),
    }),
    { maxLength: 4, selector: (m) => m.path },
  )
  .map((list) => list.map((m, i) => ({ ...m, id: i + 1 })));

export const principalArb: fc.Arbitrary<ModelPrincipal> = fc.record(
  {
    role: fc.constantFrom('general' as const, 'guest' as const, 'admin' as const),
    permission: fc.integer({ min: 0, max: 2 ** 14 - 1 }),
    basePath: fc.constantFrom(...DIRS),
    token: fc.option(fc.record({ scope: fc.constantFrom('read' as const, 'write' as const, 'admin' as const), prefix: fc.constantFrom(...DIRS) }), { nil: undefined }),
  },
  { requiredKeys: ['role', 'permission', 'basePath'] },
);

export const askArb: fc.Arbitrary<ModelAsk> = fc
  .record({
    door: fc.constantFrom('api' as const, 'webdav' as const, 'ftp' as const),
    action: fc.constantFrom('list' as const, 'read' as const, 'write' as const, 'mkdir' as const, 'rename' as const, 'move' as const, 'copy' as const, 'remove' as const),
    path: fc.constantFrom(...PATHS),
    target: fc.constantFrom(...PATHS),
    password: fc.constantFrom(...PASSWORDS),
  })
  .map((a) => {
    if (a.action === 'rename') return { ...a, target: `${a.path === '/' ? '' : a.path.slice(0, a.path.lastIndexOf('/'))}/${a.target.split('/').pop() || 'n'}` };
    if (a.action === 'move' || a.action === 'copy') return a;
    const { target: _t, ...rest } = a;
    return rest;
  });

