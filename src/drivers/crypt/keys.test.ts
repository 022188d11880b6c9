import { describe, expect, it } from 'vitest';
import { FsError } from '../../core/errors.js';
import { clearSecret, obscure, OBSCURED_PREFIX, reveal } from './keys.js';

describe('passwords as rclone obscures them and OpenList stores them', () => {
  it('reveals what `rclone obscure` 1.60 printed', () => {
    expect(reveal('xYIF4VcDCEKOOQBfottGx1cu8D-YY3Dve7hA1qBtdQ')).toBe('filebridge-test');
    expect(reveal('I51mgb0pv0w_USe000Xf-ZeitJuX7g')).toBe('pepper');
  });

  it('obscures so that reveal gives the text back, with a fresh IV each time', () => {
    const a = obscure('päss wörd');
    expect(reveal(a)).toBe('päss wörd');
    expect(obscure('päss wörd')).not.toBe(a);
    expect(reveal(obscure(''))).toBe('');
  });

  it('refuses what is not an obscured value', () => {
    for (const bad of ['', 'short', 'has spaces in it here', 'a+b/c=']) expect(reveal(bad), bad).toBeUndefined();
  });

  it('OpenList\'s rule: ___Obfuscated___ + obscured is revealed; anything else is the password in clear', () => {
    expect(clearSecret('password', 'plain text')).toBe('plain text');
    expect(clearSecret('password', 'xYIF4VcDCEKOOQBfottGx1cu8D-YY3Dve7hA1qBtdQ')).toBe('xYIF4VcDCEKOOQBfottGx1cu8D-YY3Dve7hA1qBtdQ');
    expect(clearSecret('password', `${OBSCURED_PREFIX}xYIF4VcDCEKOOQBfottGx1cu8D-YY3Dve7hA1qBtdQ`)).toBe('filebridge-test');
    // What OpenList stores for an empty salt: the obscured empty string.
    expect(clearSecret('salt', OBSCURED_PREFIX + obscure(''))).toBe('');
    expect(() => clearSecret('salt', `${OBSCURED_PREFIX}!!`)).toThrow(FsError);
  });
});
