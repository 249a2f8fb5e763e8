import { afterAll, beforeAll, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { signInWithPassword } from '../sessions/sign-in.js';
import { hardLockUntil } from './sign-in-throttle.js';
import { unlockUser } from './unlock-user.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const password = 'a perfectly long passphrase 9';

it('lifts a hard lock so the right password works again, audited; needs security:manage', async () => {
  const s = rt.services;
  const org = await createOrg(s);
  const officer = await createUser(s, org.id, { role: 'security_officer' });
  const manager = await createUser(s, org.id, { role: 'user_manager' });
  const user = await createUser(s, org.id, { password });
  await s.db
    .updateTable('users')
    .set({ failed_login_count: 100, locked_until: hardLockUntil })
    .where('id', '=', user.id)
    .execute();
  const attempt = () =>
    signInWithPassword(s, { ip: '192.0.2.10' }, { email: user.email, password, organization: org.slug });

  await expect(attempt()).rejects.toMatchObject({ code: 'SIGN_IN_FAILED' });
  await expect(
    unlockUser(contextFor(s, await actorFor(s, manager)), { userId: user.id }),
  ).rejects.toMatchObject({
    code: 'FORBIDDEN',
  });

  const unlocked = await unlockUser(contextFor(s, await actorFor(s, officer)), { userId: user.id });
  expect(unlocked).toMatchObject({ failed_login_count: 0, locked_until: null, version: user.version + 1 });
  const signedIn = await attempt();
  expect(signedIn.user.id).toBe(user.id);

  const events = await s.db
    .selectFrom('audit_events')
    .select(['action', 'actor_id', 'target_id'])
    .where('org_id', '=', org.id)
    .where('action', '=', 'user.unlocked')
    .execute();
  expect(events).toEqual([{ action: 'user.unlocked', actor_id: officer.id, target_id: user.id }]);

  // Nothing to unlock now.
  await expect(
    unlockUser(contextFor(s, await actorFor(s, officer)), { userId: user.id }),
  ).rejects.toMatchObject({
    code: 'VALIDATION_FAILED',
  });
});
