import { z } from 'zod';
import { boolish, numberish } from '../core/input.js';
import type { DriverCatalog, FormItem } from '../core/driver-catalog.js';
import { FsError } from '../core/errors.js';
import { type Driver, type DriverContext, type DriverDefinition, type OptionDecl, type OptionDecls, type OptionsOf, capabilities } from '../core/storage/index.js';

function fieldSchema(decl: OptionDecl): z.ZodType {
  let s: z.ZodType;
  switch (decl.type) {
    case 'number':
      s = numberish(z.number().finite());
      break;
    case 'bool':
      s = boolish;
      break;
    case 'select':
      s = z.enum((decl.choices ?? []) as [string, ...string[]]);
      break;
    default:
      s = decl.required ? z.string().min(1, 'is required') : z.string();
  }
  if (decl.default !== undefined) return s.default(decl.default as never);
  if (!decl.required) {
    const empty = decl.type === 'number' ? 0 : decl.type === 'bool' ? false : '';
    return s.default(empty as never);
  }
  return s;
}

/** Builds the validator for a set of option declarations: one declaration, one schema. */
export function optionsSchema<D extends OptionDecls>(decls: D): z.ZodType<OptionsOf<D>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, decl] of Object.entries(decls)) shape[key] = fieldSchema(decl);
  return z.object(shape).strip() as unknown as z.ZodType<OptionsOf<D>>;
}

export function defineDriver<D extends OptionDecls>(def: Omit<DriverDefinition<D>, 'schema'>): DriverDefinition<D> {
  return { ...def, schema: optionsSchema(def.options) };
}

export function formItems(decls: OptionDecls): FormItem[] {
  return Object.entries(decls).map(([name, d]) => ({
    name,
    type: d.type,
    default: d.default === undefined ? '' : String(d.default),
    options: (d.choices ?? []).join(','),
    required: d.required ?? false,
    help: d.help ?? '',
    label: d.label,
    secret: d.secret ?? false,
    advanced: d.advanced ?? false,
  }));
}

/** Replaces secret option values, for logs and API output. */
export function redactOptions(decls: OptionDecls, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const [key, d] of Object.entries(decls)) {
    if (d.secret && out[key] !== undefined && out[key] !== '') out[key] = '';
  }
  return out;
}

export type AnyDriverDefinition = DriverDefinition<OptionDecls>;

/** The plain-data view of a set of drivers that front doors use. */
export function driverCatalog(definitions: readonly AnyDriverDefinition[]): DriverCatalog {
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const info = (d: AnyDriverDefinition) => ({ name: d.id, label: d.label, description: d.description, facts: d.facts, items: formItems(d.options) });
  return {
    list: () => definitions.map(info),
    get: (name) => {
      const d = byId.get(name);
      return d ? info(d) : undefined;
    },
    check: (name, options) => {
      const d = byId.get(name);
      if (!d) return { ok: false, problems: [`driver [${name}] not found`] };
      const parsed = d.schema.safeParse(options ?? {});
      if (parsed.success) return { ok: true, value: parsed.data as Record<string, unknown> };
      return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`) };
    },
    redact: (name, options) => {
      const d = byId.get(name);
      return d ? redactOptions(d.options, options) : options;
    },
    keepSecrets: (name, incoming, stored) => {
      const d = byId.get(name);
      if (!d) return incoming;
      const out = { ...incoming };
      for (const [key, decl] of Object.entries(d.options)) {
        if (decl.secret && (out[key] === undefined || out[key] === '') && stored[key] !== undefined) out[key] = stored[key];
      }
      return out;
    },
  };
}

/**
 * A `create` that loads the driver's module (and the SDK it brings) only when a mount of it first
 * starts: the returned driver's `init` imports `load`'s module, builds the real driver, runs its
 * `init`, and takes on its methods, so core (which instruments a driver after `init`) sees the
 * real driver's capabilities. A server with no mount of the driver never loads its SDK.
 */
export function deferredCreate<O>(load: () => Promise<(options: O, ctx: DriverContext) => Driver>): (options: O, ctx: DriverContext) => Driver {
  return (options, ctx) => {
    const notReady = async (): Promise<never> => {
      throw new FsError('storage_unavailable', 'storage is not initialised yet', { retryable: true });
    };
    const self: Driver = {
      stat: notReady,
      read: notReady,
      list: async function* () {
        yield* [];
        await notReady();
      },
      async init(signal: AbortSignal) {
        const make = await load();
        const inner = make(options, ctx);
        // Closing works from here on, even if the real init fails.
        if (inner.close) self.close = inner.close.bind(inner);
        await inner.init?.(signal);
        const own = self as unknown as Record<string, unknown>;
        const real = inner as unknown as Record<string, (...a: unknown[]) => unknown>;
        for (const m of ['stat', 'read', 'list', ...capabilities(inner)]) if (m !== 'init') own[m] = real[m]?.bind(inner);
      },
    };
    return self;
  };
}
