// Structured JSON logs with correlation ids (Powertools style). Locally LOG_PRETTY=1 prints one
// readable line per record. LOG_LEVEL: debug | info | warn | error | silent (default info).
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

export interface Logger {
  debug(msg: string, extra?: Record<string, unknown>): void;
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
  child(keys: Record<string, unknown>): Logger;
}

export function createLogger(service: string, keys: Record<string, unknown> = {}): Logger {
  const write = (level: Level, msg: string, extra?: Record<string, unknown>) => {
    const threshold = LEVELS[(process.env.LOG_LEVEL as keyof typeof LEVELS) ?? 'info'] ?? LEVELS.info;
    if (LEVELS[level] < threshold) return;
    const record = { level: level.toUpperCase(), timestamp: new Date().toISOString(), service, message: msg, ...keys, ...extra };
    const line = process.env.LOG_PRETTY === '1' ? `${record.timestamp} ${record.level.padEnd(5)} [${service}] ${msg} ${JSON.stringify({ ...keys, ...extra })}` : JSON.stringify(record, errorReplacer);
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
  };
  return {
    debug: (m, e) => write('debug', m, e),
    info: (m, e) => write('info', m, e),
    warn: (m, e) => write('warn', m, e),
    error: (m, e) => write('error', m, e),
    child: (more) => createLogger(service, { ...keys, ...more }),
  };
}

function errorReplacer(_k: string, v: unknown) {
  return v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v;
}
