import { Secret, TOTP } from 'otpauth';

/** Seconds per TOTP time step. */
export const TOTP_PERIOD = 30;

function totp(secret: string, label = 'filebridge'): TOTP {
  return new TOTP({ issuer: 'Filebridge', label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD, secret: Secret.fromBase32(secret) });
}

/** A new TOTP secret (base32) and its otpauth:// QR code as a PNG data URL. */
export async function generateTotp(username: string): Promise<{ secret: string; qr: string; uri: string }> {
  const secret = new Secret({ size: 20 }).base32;
  const uri = totp(secret, username).toString();
  // The QR code library (and its PNG encoder) loads when a secret is first generated, not at start-up.
  const { default: QRCode } = await import('qrcode');
  return { secret, uri, qr: await QRCode.toDataURL(uri) };
}

/**
 * The time step (unix seconds / 30) a code belongs to, accepting the current step and one either
 * side for clock drift; undefined when the code is wrong. Callers keep the last accepted step per
 * user and refuse a step at or before it, so each code works once.
 */
export function totpStep(secret: string, code: string, now: number = Date.now()): number | undefined {
  const token = code.trim();
  if (!/^\d{6}$/.test(token)) return undefined;
  try {
    const delta = totp(secret).validate({ token, timestamp: now, window: 1 });
    return delta === null ? undefined : TOTP.counter({ period: TOTP_PERIOD, timestamp: now }) + delta;
  } catch {
    return undefined;
  }
}

/** Whether a code is right now (±1 step), without the single-use check. */
export function verifyTotp(secret: string, code: string, now: number = Date.now()): boolean {
  return totpStep(secret, code, now) !== undefined;
}

/** The code for a moment (default now), for tests and the CLI. */
export function currentTotp(secret: string, now: number = Date.now()): string {
  return totp(secret).generate({ timestamp: now });
}
