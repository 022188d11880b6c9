import { describe, expect, it } from 'vitest';
import { AuthMessages } from './errors.js';
import { JwtIssuer } from './jwt.js';

const subject = { id: 7, username: 'u', pwdTs: 1, sessionEpoch: 0 };

describe('JwtIssuer', () => {
  it('a token verified once is still refused once it expires, by the same clock', async () => {
    let now = Date.UTC(2026, 0, 1);
    const jwt = new JwtIssuer('s'.repeat(32), 1, () => now);
    const { token } = await jwt.issue(subject);
    expect((await jwt.verify(token)).uid).toBe(7);
    expect((await jwt.verify(token)).uid).toBe(7);
    now += 3600_000 + 1000;
    await expect(jwt.verify(token)).rejects.toMatchObject({ message: AuthMessages.expired });
    await expect(jwt.verify(token)).rejects.toMatchObject({ message: AuthMessages.expired });
  });

  it('a token verified once is refused before its not-before time when the clock goes back', async () => {
    let now = Date.UTC(2026, 0, 1);
    const jwt = new JwtIssuer('s'.repeat(32), 1, () => now);
    const { token } = await jwt.issue(subject);
    await jwt.verify(token);
    now -= 60_000;
    await expect(jwt.verify(token)).rejects.toMatchObject({ message: AuthMessages.notActive });
  });

  it('a token signed with another secret is refused even when a good one is held', async () => {
    const a = new JwtIssuer('a'.repeat(32), 1);
    const b = new JwtIssuer('b'.repeat(32), 1);
    const { token } = await a.issue(subject);
    await a.verify(token);
    await expect(b.verify(token)).rejects.toMatchObject({ message: AuthMessages.invalidated });
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    await expect(a.verify(tampered)).rejects.toBeDefined();
  });
});
