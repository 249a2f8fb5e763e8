import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { seedHolders } from '../../../test/support/seed-holders.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { createDepartment } from '../departments/create-department.js';
import { setDepartmentManagers } from '../departments/set-department-managers.js';
import { setUserDepartments } from '../departments/set-user-departments.js';
import type { Services } from '../shared/context.js';
import { revokeUserSessions } from '../sessions/revoke-user-sessions.js';
import { reactivateUser } from '../users/reactivate-user.js';
import { suspendUser } from '../users/suspend-user.js';
import { fanOutBatch, fanOutNotices } from './fan-out-notices.js';
import { maxResponsibleOfficers } from './notice-audience.js';
import { digestWindowMs, flushDueDigests } from './notice-digest.js';
import { updateNotificationSettings } from './notification-settings.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function counts(s: Services, orgId: string, kind: string) {
  const notes = await s.db
    .selectFrom('notifications')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .execute();
  const mail = await s.db
    .selectFrom('outbox_messages')
    .select('recipient_user_id')
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .execute();
  return {
    inApp: notes.length,
    inAppPeople: new Set(notes.map((n) => n.user_id)).size,
    emails: mail.length,
    emailPeople: new Set(mail.map((m) => m.recipient_user_id)).size,
  };
}

async function orgWithAudience(s: Services, holders: number) {
  const org = await createOrg(s);
  const owner = await createUser(s, org.id, { role: 'owner' });
  const officer = await createUser(s, org.id, { role: 'security_officer' });
  const target = await createUser(s, org.id);
  const ctx = contextFor(s, await actorFor(s, owner));
  await seedHolders(s, org.id, 'auditor', holders);
  // An audience by role, as an organisation may have configured it: every active auditor.
  await updateNotificationSettings(ctx, { adminRecipients: ['auditor'] });
  return { org, owner, officer, target, ctx };
}

describe('notice fan-out after commit', () => {
  it('the command writes one notice row; the fan-out tells 1,200 role holders once each, 500 a batch', async () => {
    const s = rt.services;
    const w = await orgWithAudience(s, 1200);
    await actorFor(s, w.target);

    await suspendUser(w.ctx, { userId: w.target.id, reason: 'Check' });
    // Committed: the target's own email and one pending notice, nothing for administrators yet.
    expect(await counts(s, w.org.id, 'user_suspended')).toEqual({
      inApp: 0,
      inAppPeople: 0,
      emails: 1,
      emailPeople: 1,
    });
    const pending = await s.db
      .selectFrom('notices')
      .selectAll()
      .where('org_id', '=', w.org.id)
      .executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ status: 'pending', kind: 'user_suspended', batches: 0 });

    const run = await fanOutNotices(s, { batchSize: 500 });
    // The named phase (the officer, responsible by default), then 500 + 500 + 200 auditors.
    expect(run).toMatchObject({ batches: 4, recipients: 1201, completed: 1 });
    expect(await counts(s, w.org.id, 'user_suspended')).toEqual({
      inApp: 1201,
      inAppPeople: 1201,
      emails: 1202,
      emailPeople: 1202,
    });
    const done = await s.db
      .selectFrom('notices')
      .selectAll()
      .where('id', '=', pending.id)
      .executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'done', recipients: 1201, batches: 4 });
    // Nothing left: a second run does nothing.
    expect(await fanOutNotices(s)).toMatchObject({ batches: 0, recipients: 0 });

    // Revoking in the same window: sessions end at commit; administrators get the in-app notice at once and
    // their email in the window's digest (they were emailed about the suspension minutes ago).
    await reactivateUser(w.ctx, { userId: w.target.id });
    await actorFor(s, w.target);
    const { revokedCount } = await revokeUserSessions(w.ctx, { userId: w.target.id });
    expect(revokedCount).toBeGreaterThanOrEqual(1);
    const alive = await s.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', w.target.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(alive).toEqual([]);
    await fanOutNotices(s, { batchSize: 500 });
    const revoked = await counts(s, w.org.id, 'sessions_revoked');
    expect(revoked).toMatchObject({ inApp: 1201, inAppPeople: 1201, emails: 1, emailPeople: 1 });

    // After the window: one digest per administrator, naming the 3 notices (suspended, reactivated, revoked).
    rt.clock.advance(digestWindowMs);
    let digests = 0;
    for (
      let n = await flushDueDigests(s, rt.clock.now());
      n > 0;
      n = await flushDueDigests(s, rt.clock.now())
    )
      digests += n;
    expect(digests).toBe(1201);
    const digest = await s.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('org_id', '=', w.org.id)
      .where('kind', '=', 'notice_digest')
      .where('recipient_user_id', '=', w.officer.id)
      .executeTakeFirstOrThrow();
    expect(digest.subject).toBe('3 notices in Test Org');
    expect(digest.text_body).toContain('was suspended');
    expect(digest.text_body).toContain('was signed out');
    expect(digest.text_body).toContain('was reactivated');
    // Flushed once: nothing more.
    expect(await flushDueDigests(s, rt.clock.now())).toBe(0);
  });

  it('a batch that dies before commit is redone whole: the fan-out resumes without duplicates', async () => {
    const s = rt.services;
    const w = await orgWithAudience(s, 1100);
    await suspendUser(w.ctx, { userId: w.target.id, reason: 'Crash test' });
    const notice = await s.db
      .selectFrom('notices')
      .select('id')
      .where('org_id', '=', w.org.id)
      .executeTakeFirstOrThrow();
    const crash = new Error('the process died here');
    const failing = await fanOutNotices(s, {
      noticeId: notice.id,
      batchSize: 500,
      beforeCommit: ({ batch }) => {
        if (batch === 3) throw crash;
      },
    });
    expect(failing).toMatchObject({ batches: 3, recipients: 501, completed: 0, failed: 1 });
    // Batches 1 (named) and 2 (500 auditors) committed; batch 3 rolled back whole.
    const midway = await s.db
      .selectFrom('notices')
      .selectAll()
      .where('id', '=', notice.id)
      .executeTakeFirstOrThrow();
    expect(midway).toMatchObject({
      status: 'pending',
      batches: 2,
      recipients: 501,
      attempts: 1,
      last_error: 'the process died here',
    });
    expect((await counts(s, w.org.id, 'user_suspended')).inApp).toBe(501);
    // Out of the way until its retry time (30 s, doubling): other notices and the mail go on meanwhile.
    expect(await fanOutBatch(s, { noticeId: notice.id })).toBeNull();
    rt.clock.advance(40_000);

    const resumed = await fanOutNotices(s, { noticeId: notice.id, batchSize: 500 });
    expect(resumed).toMatchObject({ batches: 2, recipients: 600, completed: 1 });
    expect(await counts(s, w.org.id, 'user_suspended')).toEqual({
      inApp: 1101,
      inAppPeople: 1101,
      emails: 1102,
      emailPeople: 1102,
    });
    // A cursor moved back by hand (as if a batch had committed its messages but not its cursor) repeats
    // nothing either: the dedupe keys hold.
    await s.db
      .updateTable('notices')
      .set({ status: 'pending', cursor: null, completed_at: null })
      .where('id', '=', notice.id)
      .execute();
    const again = await fanOutNotices(s, { noticeId: notice.id, batchSize: 500 });
    expect(again.recipients).toBe(0);
    expect((await counts(s, w.org.id, 'user_suspended')).inApp).toBe(1101);
  });

  it('two workers fan out different notices at once and never the same batch twice', async () => {
    const s = rt.services;
    const a = await orgWithAudience(s, 700);
    const b = await orgWithAudience(s, 700);
    await suspendUser(a.ctx, { userId: a.target.id, reason: 'A' });
    await suspendUser(b.ctx, { userId: b.target.id, reason: 'B' });
    const [x, y] = await Promise.all([
      fanOutNotices(s, { batchSize: 300 }),
      fanOutNotices(s, { batchSize: 300 }),
    ]);
    expect(x.recipients + y.recipients).toBe(1402);
    for (const w of [a, b])
      expect(await counts(s, w.org.id, 'user_suspended')).toMatchObject({ inApp: 701, inAppPeople: 701 });
  });
});

describe('the default audience: who is responsible for the user, capped', () => {
  it('managers of the user’s departments and their ancestors, nearest first, and at most 10 security officers', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const ctx = contextFor(s, await actorFor(s, owner));
    const root = await createDepartment(ctx, { name: 'Root' });
    const a = await createDepartment(ctx, { name: 'A', parentId: root.id });
    const a1 = await createDepartment(ctx, { name: 'A1', parentId: a.id });
    const b = await createDepartment(ctx, { name: 'B', parentId: root.id });
    const mRoot = await createUser(s, org.id, { role: 'analyst' });
    const mA = await createUser(s, org.id, { role: 'analyst' });
    const mA1 = await createUser(s, org.id, { role: 'analyst' });
    const mB = await createUser(s, org.id, { role: 'analyst' });
    const mSuspended = await createUser(s, org.id, { role: 'analyst' });
    await setDepartmentManagers(ctx, { departmentId: root.id, userIds: [mRoot.id] });
    await setDepartmentManagers(ctx, { departmentId: a.id, userIds: [mA.id, mSuspended.id] });
    await setDepartmentManagers(ctx, { departmentId: a1.id, userIds: [mA1.id] });
    await setDepartmentManagers(ctx, { departmentId: b.id, userIds: [mB.id] });
    // A manager suspended since is not told.
    await s.db.updateTable('users').set({ status: 'suspended' }).where('id', '=', mSuspended.id).execute();
    await seedHolders(s, org.id, 'security_officer', 25);
    const target = await createUser(s, org.id);
    await setUserDepartments(ctx, {
      userId: target.id,
      primaryDepartmentId: a1.id,
      secondaryDepartmentIds: [],
    });

    await suspendUser(ctx, { userId: target.id, reason: 'Check' });
    await fanOutNotices(s);
    const told = await s.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .select(['users.id', 'users.role'])
      .where('notifications.org_id', '=', org.id)
      .execute();
    const managers = told.filter((t) => t.role === 'analyst').map((t) => t.id);
    // A1, A and Root (the chain above the user); not B, not the suspended manager, not the owner acting.
    expect(managers.sort()).toEqual([mA1.id, mA.id, mRoot.id].sort());
    expect(told.filter((t) => t.role === 'security_officer')).toHaveLength(maxResponsibleOfficers);
    expect(told).toHaveLength(3 + maxResponsibleOfficers);

    // Turned off, with a per-kind override naming one person: only that person.
    await updateNotificationSettings(ctx, {
      responsibleRecipients: false,
      byKind: [{ kind: 'user_reactivated', responsible: false, roles: [], userIds: [mB.id] }],
    });
    await reactivateUser(ctx, { userId: target.id });
    await fanOutNotices(s);
    const reactivated = await s.db
      .selectFrom('notifications')
      .select('user_id')
      .where('org_id', '=', org.id)
      .where('kind', '=', 'user_reactivated')
      .execute();
    expect(reactivated.map((r) => r.user_id)).toEqual([mB.id]);
    // Off and nobody named: no notice row at all.
    await suspendUser(ctx, { userId: target.id, reason: 'Again' });
    expect(
      await s.db
        .selectFrom('notices')
        .select('id')
        .where('org_id', '=', org.id)
        .where('kind', '=', 'user_suspended')
        .execute(),
    ).toHaveLength(1);
  });

  it('with no department manager and no security officer, the owners (at most 5) are told', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const actor = await createUser(s, org.id, { role: 'administrator' });
    const owners = [];
    for (let i = 0; i < 7; i += 1) {
      rt.clock.advance(1000);
      owners.push(await createUser(s, org.id, { role: 'owner' }));
    }
    const target = await createUser(s, org.id);
    await suspendUser(contextFor(s, await actorFor(s, actor)), { userId: target.id, reason: 'Small org' });
    await fanOutBatch(s);
    const told = await s.db
      .selectFrom('notifications')
      .select('user_id')
      .where('org_id', '=', org.id)
      .execute();
    // The longest-serving five.
    expect(told.map((t) => t.user_id).sort()).toEqual(
      owners
        .slice(0, 5)
        .map((o) => o.id)
        .sort(),
    );
  });
});
