import { createRequire } from 'node:module';
import fastify, { type FastifyServerOptions } from 'fastify';

export { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';

type Compilers = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
/** A compiler factory as fastify calls it: (shared schemas, options) → compiler. */
type Factory = (schemas: unknown, options: unknown) => unknown;

/**
 * fastify builds its JSON Schema compilers (ajv for validation, fast-json-stringify for
 * serialization: about as much code as fastify itself) in every new server, yet calls them only
 * for routes that declare a JSON schema. Routes here validate with zod, so these stand-ins load
 * the real factories (from fastify's own dependencies) the first time a route needs one. (fastify
 * counts them as custom compilers, which only changes how a route's JSON `headers` schema is read.)
 */
function lazyCompilers(): Compilers {
  const fromFastify = createRequire(import.meta.resolve('fastify'));
  let validator: Factory | undefined;
  let serializer: Factory | undefined;
  const buildValidator: Factory = (schemas, options) => (validator ??= (fromFastify('@fastify/ajv-compiler') as () => Factory)())(schemas, options);
  const buildSerializer: Factory = (schemas, options) => (serializer ??= (fromFastify('@fastify/fast-json-stringify-compiler') as () => Factory)())(schemas, options);
  return { buildValidator, buildSerializer } as unknown as Compilers;
}

/** `fastify(options)`, with the JSON Schema compilers loaded when first used (see above). */
const Fastify = ((options?: FastifyServerOptions) =>
  fastify({
    ...options,
    schemaController: { ...options?.schemaController, compilersFactory: { ...lazyCompilers(), ...options?.schemaController?.compilersFactory } },
  })) as typeof fastify;

export default Fastify;
