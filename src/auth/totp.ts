import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

function totp(secret: string, label = 'filebridge'): TOTP {
  return new TOTP({ issuer: 'Filebridge', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

/** A new TOTP secret (base32) and its otpauth:// QR code as a PNG data URL. */
export async function generateTotp(username: string): Promise<{ secret: string; qr: string; uri: string }> {
  const secret = new Secret({ size: 20 }).base32;
  const uri = totp(secret, username).toString();
  return { secret, uri, qr: await QRCode.toDataURL(uri) };
}

/** Accepts the current code and one step either side, for clock drift. */
export function verifyTotp(secret: string, code: string): boolean {
  if (!/^\d{6}$/.test(code.trim())) return false;
  try {
    return totp(secret).validate({ token: code.trim(), window: 1 }) !== null;
  } catch {
    return false;
  }
}

/** The current code, for tests and the CLI. */
export function currentTotp(secret: string): string {
  return totp(secret).generate();
}
