import { NumberInput, PasswordInput, Select, Switch, Textarea, TextInput } from '@mantine/core';
import type { FormItem } from '../api/types';

export type Values = Record<string, string | number | boolean>;

export function defaultValue(item: FormItem): string | number | boolean {
  if (item.type === 'bool') return item.default === 'true';
  if (item.type === 'number') return item.default === '' ? '' : Number(item.default);
  return item.default;
}

export function labelOf(item: FormItem): string {
  return item.label || item.name.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

interface Props {
  item: FormItem;
  value: string | number | boolean | undefined;
  onChange(v: string | number | boolean): void;
  /** Editing: a stored secret is kept when left empty. */
  secretHint?: string;
}

/** One generated form field for a driver option (AList's item types). */
export function Field({ item, value, onChange, secretHint }: Props) {
  const common = { label: labelOf(item), description: item.help || undefined, required: item.required && !secretHint, name: item.name };
  switch (item.type) {
    case 'bool':
      return <Switch {...common} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
    case 'number':
      return <NumberInput {...common} value={value === '' || value === undefined ? '' : Number(value)} onChange={(v) => onChange(v === '' ? '' : Number(v))} />;
    case 'select':
      return (
        <Select
          {...common}
          clearable={!item.required}
          value={String(value ?? '') || null}
          onChange={(v) => onChange(v ?? '')}
          data={item.options.split(',').filter(Boolean)}
          comboboxProps={{ withinPortal: true }}
        />
      );
    case 'text':
      return <Textarea {...common} autosize minRows={2} value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)} />;
    default:
      if (item.secret) {
        return <PasswordInput {...common} placeholder={secretHint} autoComplete="new-password" value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)} />;
      }
      return <TextInput {...common} value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
