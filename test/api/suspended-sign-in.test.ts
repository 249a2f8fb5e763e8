import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { errorCodes } from '../../src/domain/errors.js';
import { fanOutNotices } from '../../src/domain/notifications/fan-out-notices.js';
import { suspendUser } from '../../src/domain/users/suspend-user.js';
import { actorFor, contextFor, createOrg, createUser } from '../support/factories.js';
import { defaultTestPassword, freshIp, signInRequest } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// What a suspended person is told: the reason in the notice email, and the suspension's end at sign-in —
// but only once they have given the right password; a wrong one answers like any other failure.

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const password = defaultTestPassword;

async function suspended(until: Date | null) {
  const s = rt.services;
  const org = await createOrg(s);
  const owner = await createUser(s, org.id, { role: 'owner' });
  const user = await createUser(s, org.id, { password, displayName: 'Sam Suspended' });
  await suspendUser(contextFor(s, await actorFor(s, owner)), {
    userId: user.id,
    reason: 'Laptop reported stolen',
    ...(until ? { until: until.toISOString() } : {}),
  });
  await fanOutNotices(s);
  return user;
}

describe('signing in to a suspended account', () => {
  it('answers ACCOUNT_SUSPENDED with the end of the suspension after the right password', async () => {
    const until = new Date(rt.clock.now().getTime() + 3 * 86_400_000);
    until.setUTCHours(9, 30, 0, 0);
    const user = await suspended(until);
    const r = await signInRequest(app, { email: user.email, password }, freshIp());
    expect(r.payload.accessToken).toBeNull();
    expect(r.payload.userErrors).toHaveLength(1);
    expect(r.payload.userErrors[0].code).toBe('ACCOUNT_SUSPENDED');
    const shown = until.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    expect(r.payload.userErrors[0].message).toContain(`suspended until ${shown} UTC`);
    // The right password is no failed guess: the failure count stays where it was.
    const row = await rt.services.db
      .selectFrom('users')
      .select('failed_login_count')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.failed_login_count).toBe(0);
  });

  it('says "until further notice" for an open-ended suspension', async () => {
    const user = await suspended(null);
    const r = await signInRequest(app, { email: user.email, password }, freshIp());
    expect(r.payload.userErrors[0].code).toBe('ACCOUNT_SUSPENDED');
    expect(r.payload.userErrors[0].message).toContain('suspended until further notice');
  });

  it('gives a wrong password on a suspended account the generic failure', async () => {
    const user = await suspended(null);
    const r = await signInRequest(app, { email: user.email, password: 'not the password at all' }, freshIp());
    expect(r.payload.userErrors).toEqual([{ code: 'SIGN_IN_FAILED', message: errorCodes.SIGN_IN_FAILED }]);
  });

  it('tells the person the reason in the suspension notice email', async () => {
    const user = await suspended(null);
    const mail = await rt.services.db
      .selectFrom('outbox_messages')
      .select(['subject', 'text_body'])
      .where('recipient_user_id', '=', user.id)
      .where('kind', '=', 'user_suspended')
      .executeTakeFirstOrThrow();
    expect(mail.subject).toMatch(/^Your account in .* was suspended$/);
    expect(mail.text_body).toContain('Reason: Laptop reported stolen');
  });
});
