import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * On the embedded database, migrate once and save the result as a template that every test file loads
 * into its own in-memory database (a fresh initdb costs seconds; loading the template a fraction of it).
 */
export default async function setup(project: TestProject) {
  const path = resolve('.tmp', `pglite-template-${process.pid}.tgz`);
  if (!process.env.TEST_DATABASE_URL) {
    mkdirSync('.tmp', { recursive: true });
    const database = await openDatabase({ dataDir: 'memory' });
    await migrate(database.db);
    const dump = await database.dump!();
    writeFileSync(path, dump);
    await database.close();
  }
  project.provide('pgliteTemplate', path);
}
