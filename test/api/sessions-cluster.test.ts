import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { openDatabase } from '../../src/db/database.js';
import { ManualClock } from '../../src/domain/shared/clock.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createOrg, createUser } from '../support/factories.js';
import { gql, signInAs } from '../support/auth.js';
import { openTestDatabase, testConfig, type TestRuntime } from '../support/test-runtime.js';

// Two instances (two runtimes, each with its own pool, LISTEN connection, key ring and token cache) on one
// PostgreSQL database: a revocation on A reaches B within a second. The embedded database is one process by
// construction, so there is nothing to test there.
const onPostgres = !!process.env.TEST_DATABASE_URL;
if (!onPostgres) {
  console.log(
    'sessions-cluster: skipped on the embedded database (PGlite is single-process); set TEST_DATABASE_URL',
  );
}

describe.runIf(onPostgres)('revocation across instances (PostgreSQL)', () => {
  const clock = new ManualClock(new Date());
  const config = testConfig();
  let drop: () => Promise<void>;
  let a: Runtime;
  let b: Runtime;
  let appA: RosterServer;
  let appB: RosterServer;

  beforeAll(async () => {
    const first = await openTestDatabase();
    drop = first.drop;
    const logger = pino({ level: 'silent' });
    a = await createRuntime(config, { database: first.database, clock, logger });
    const second = await openDatabase({ databaseUrl: first.url!, poolSize: 4 });
    b = await createRuntime(config, { database: second, clock, logger });
    appA = await buildServer(a.services, { logger: false });
    appB = await buildServer(b.services, { logger: false });
  });
  afterAll(async () => {
    await appA?.close();
    await appB?.close();
    await b?.close();
    await a?.services.revocations.stop();
    await drop?.();
  });

  it('instance B refuses a session revoked on instance A within one second', async () => {
    const org = await createOrg(a.services);
    const user = await createUser(a.services, org.id);
    const rtA = { ...a, clock, config, backend: 'postgres' } as TestRuntime;
    const s = await signInAs(rtA, appA, user);
    // B verifies A's token (it loads A's key from the shared table) and caches the verification.
    expect((await gql(appB, '{ viewer { id } }', undefined, s.accessToken)).body.data.viewer.id).toBe(
      user.id,
    );

    const out = await gql(appA, 'mutation { signOut { ok } }', undefined, s.accessToken);
    expect(out.body.data.signOut.ok).toBe(true);
    const started = Date.now();
    let refusedAfter: number | null = null;
    while (Date.now() - started <= 1000) {
      const r = await gql(appB, '{ viewer { id } }', undefined, s.accessToken);
      if (r.body.data.viewer === null) {
        refusedAfter = Date.now() - started;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refusedAfter, 'B still accepted the token 1 s after the revocation').not.toBeNull();
  });
});
