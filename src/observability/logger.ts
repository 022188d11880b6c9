import { pino, type Logger, type LoggerOptions } from 'pino';

export interface LoggerSetup {
  level: string;
  /** Pretty output for people at a terminal; JSON otherwise. */
  pretty?: boolean;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.secret_access_key', '*.refresh_token', '*.access_token'];

export function createLogger(setup: LoggerSetup): Logger {
  const options: LoggerOptions = { level: setup.level, redact: { paths: REDACT, censor: '[redacted]' } };
  const pretty = setup.pretty ?? process.stdout.isTTY;
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  }
  return pino(options);
}
