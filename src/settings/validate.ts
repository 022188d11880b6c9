import type { SettingDefault } from './groups.js';

/**
 * Why `value` is not a value of the declared setting `d`, or undefined when it is: bools are
 * `true`/`false`, numbers finite, selects one of their options. Strings and texts take anything.
 */
export function invalidSettingValue(d: Pick<SettingDefault, 'key' | 'type' | 'options'>, value: string): string | undefined {
  switch (d.type) {
    case 'bool':
      return value === 'true' || value === 'false' ? undefined : `${d.key}: must be true or false, got ${JSON.stringify(value)}`;
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : `${d.key}: must be a number, got ${JSON.stringify(value)}`;
    case 'select': {
      const options = (d.options ?? '').split(',').filter((o) => o !== '');
      return options.length === 0 || options.includes(value) ? undefined : `${d.key}: must be one of ${options.join(', ')}, got ${JSON.stringify(value)}`;
    }
    default:
      return undefined;
  }
}
