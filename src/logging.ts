import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.js';

/**
 * The process logger. JSON lines (one object a line, for log shippers) unless the configuration asks for
 * readable lines (development's default): formatted in this thread, synchronously, so nothing is lost at
 * process.exit and no transport worker thread is started.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  if (config.logFormat === 'json') return pino({ level: config.logLevel });
  return pino(
    { level: config.logLevel },
    pretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
    }),
  );
}
