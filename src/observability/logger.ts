import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export interface LoggerSetup {
  level: string;
  /** Pretty output for people at a terminal; JSON otherwise. */
  pretty?: boolean;
  /**
   * Option keys declared secret anywhere (drivers' `secret: true` options): redacted wherever they
   * appear in a logged object, top level or one level down. Derived from the declarations, never
   * listed here by hand.
   */
  secretKeys?: readonly string[];
  /** Where lines go (standard output by default). */
  destination?: DestinationStream;
}

/** What is secret whatever the drivers declare: credentials of the server's own doors. */
const ALWAYS = ['authorization', 'cookie', 'password', 'otp_secret', 'otpSecret', 'token'];

export function redactPaths(secretKeys: readonly string[] = []): string[] {
  const keys = [...new Set([...ALWAYS, ...secretKeys])];
  const quoted = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`);
  return ['req.headers.authorization', 'req.headers.cookie', ...keys.flatMap((k) => [quoted(k), `*.${quoted(k)}`])];
}

export function createLogger(setup: LoggerSetup): Logger {
  const options: LoggerOptions = { level: setup.level, redact: { paths: redactPaths(setup.secretKeys), censor: '[redacted]' } };
  if (setup.destination) return pino(options, setup.destination);
  const pretty = setup.pretty ?? process.stdout.isTTY;
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  }
  return pino(options);
}
