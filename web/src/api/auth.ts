import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post, setToken } from './client';
import { type Me, Role } from './types';

/** The current user; a guest when no token is stored and guest access is on. */
export function useMe() {
  return useQuery<Me, ApiError>({ queryKey: ['me'], queryFn: () => get<Me>('/api/me'), retry: false, staleTime: 60_000 });
}

export function isAdmin(me: Me | undefined): boolean {
  return me?.role === Role.Admin;
}

export function isGuest(me: Me | undefined): boolean {
  return !me || me.role === Role.Guest;
}

export async function login(username: string, password: string, otpCode: string): Promise<void> {
  const r = await post<{ token: string }>('/api/auth/login', { username, password, otp_code: otpCode });
  setToken(r.token);
}

export function useLogout() {
  const qc = useQueryClient();
  return async () => {
    try {
      await get('/api/auth/logout');
    } catch {
      /* the token is dropped anyway */
    }
    setToken('');
    qc.clear();
  };
}

/** 401 from /api/me: guests are off and nobody is logged in. */
export function needsLogin(err: unknown): boolean {
  return err instanceof ApiError && err.code === 401;
}
