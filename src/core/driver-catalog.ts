import type { DriverFacts } from './storage/index.js';

/** One option as a form field, in AList's item shape plus label, secret and advanced. */
export interface FormItem {
  name: string;
  type: string;
  default: string;
  options: string;
  required: boolean;
  help: string;
  label: string;
  secret: boolean;
  advanced: boolean;
}

export interface DriverInfo {
  name: string;
  label: string;
  description: string;
  facts: DriverFacts;
  items: FormItem[];
}

export type OptionsCheck = { ok: true; value: Record<string, unknown> } | { ok: false; problems: string[] };

/**
 * What front doors may know about drivers: their names, forms and option rules, as plain data.
 * Built in main.ts from the driver registry, so no front door imports a driver.
 */
export interface DriverCatalog {
  list(): DriverInfo[];
  get(name: string): DriverInfo | undefined;
  /** Validates options against the driver's declarations (defaults applied). */
  check(name: string, options: unknown): OptionsCheck;
  /** Blanks secret values, for output. */
  redact(name: string, options: Record<string, unknown>): Record<string, unknown>;
  /** Secrets are write-only: an empty incoming secret keeps the stored one. */
  keepSecrets(name: string, incoming: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown>;
}
