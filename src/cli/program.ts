import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { DataDirUnreadableError } from '../db/database.js';
import { DataDirLockedError } from '../db/pglite/data-dir-lock.js';
import { isDomainError } from '../domain/errors.js';
import { registerAudit } from './commands/audit.js';
import { registerBootstrap } from './commands/bootstrap.js';
import { registerKeys } from './commands/keys.js';
import { registerMigrate } from './commands/migrate.js';
import { registerSeed } from './commands/seed.js';
import { registerServe } from './commands/serve.js';

/** The `roster` command line. Each command lives in commands/ and calls the same domain commands as the API. */
export function buildProgram(): Command {
  const program = new Command('roster')
    .description('Roster: user administration for organisations that do sensitive work.')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerMigrate(program);
  registerBootstrap(program);
  registerAudit(program);
  registerKeys(program);
  registerSeed(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof DataDirLockedError || err instanceof DataDirUnreadableError) {
      // The embedded database is held by another process, or damaged: say so and how to go on, no stack.
      process.stderr.write(`roster: ${err.message}\n`);
      process.exitCode = 3;
      return;
    }
    if (err instanceof ConfigError || isDomainError(err)) {
      process.stderr.write(`roster: ${isDomainError(err) ? `${err.code}: ` : ''}${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
