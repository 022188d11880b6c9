import type { UserRecord } from '../../db/repositories/index.js';

/** A user as the API shows it: AList's fields, the password always empty. */
export function userView(u: UserRecord) {
  return {
    id: u.id,
    username: u.username,
    password: '',
    base_path: u.basePath,
    role: u.role,
    disabled: u.disabled,
    permission: u.permission,
    sso_id: u.ssoId,
  };
}
