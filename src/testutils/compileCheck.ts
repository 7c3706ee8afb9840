import type { LoggerInterface } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';

/** Compile a vega-lite spec and return the warnings and errors it logs (tests only). */
export function compileWarnings(spec: TopLevelSpec): string[] {
  const messages: string[] = [];
  const logger = {
    level: () => 0,
    error: (...args: readonly unknown[]) => {
      messages.push(args.map(String).join(' '));
      return logger;
    },
    warn: (...args: readonly unknown[]) => {
      messages.push(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger
  } as unknown as LoggerInterface;
  compile(spec, { logger });
  return messages;
}
