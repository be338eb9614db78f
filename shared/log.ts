// Structured JSON logs with correlation ids, by Powertools for AWS Lambda's Logger. Locally
// `npm start` sets POWERTOOLS_DEV=true (indented, readable records). LOG_LEVEL: debug | info | warn |
// error | silent (default info).
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

export interface Logger {
  debug(msg: string, extra?: Record<string, unknown>): void;
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
  child(keys: Record<string, unknown>): Logger;
}

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
const level = (): Level => {
  const v = (process.env.LOG_LEVEL ?? 'info').toUpperCase();
  return (['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'].includes(v) ? v : 'INFO') as Level;
};

function wrap(p: PowertoolsLogger): Logger {
  const clean = (extra?: Record<string, unknown>) => Object.fromEntries(Object.entries(extra ?? {}).filter(([, v]) => v !== undefined));
  return {
    debug: (m, e) => p.debug(m, clean(e)),
    info: (m, e) => p.info(m, clean(e)),
    warn: (m, e) => p.warn(m, clean(e)),
    error: (m, e) => p.error(m, clean(e)),
    child: (keys) => wrap(p.createChild({ persistentKeys: clean(keys) as Record<string, string> })),
  };
}

export function createLogger(service: string, keys: Record<string, unknown> = {}): Logger {
  return wrap(new PowertoolsLogger({ serviceName: service, logLevel: level(), persistentKeys: keys as Record<string, string> }));
}
