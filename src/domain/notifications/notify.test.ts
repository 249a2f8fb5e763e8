import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actorFor,
  authenticatedNow,
  contextFor,
  createOrg,
  createUser,
} from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { acceptInvitation } from '../invitations/accept-invitation.js';
import { resendInvitation } from '../invitations/resend-invitation.js';
import type { Services } from '../shared/context.js';
import { revokeUserSessions } from '../sessions/revoke-user-sessions.js';
import { changeUserRole } from '../users/change-user-role.js';
import { deactivateUser } from '../users/deactivate-user.js';
import { endDueSuspensions } from '../users/end-due-suspensions.js';
import { inviteUsers } from '../users/invite-users.js';
import { reactivateUser } from '../users/reactivate-user.js';
import { suspendUser } from '../users/suspend-user.js';
import { updateNotificationSettings } from './notification-settings.js';
import { fanOutNotices } from './fan-out-notices.js';
import { digestWindowMs } from './notice-digest.js';
import { notify } from './notify.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const password = 'a long enough pass phrase 9';
const hour = 3_600_000;

/**
 * An organisation with two owners (one acts), a security officer, a suspended security officer (inactive:
 * never notified) and a target; plus another organisation whose owner must never hear anything.
 */
async function world(s: Services) {
  const org = await createOrg(s, 'Acme <Police>');
  const actor = await createUser(s, org.id, { role: 'owner', displayName: 'Alice Actor' });
  const owner2 = await createUser(s, org.id, { role: 'owner' });
  const officer = await createUser(s, org.id, { role: 'security_officer' });
  await createUser(s, org.id, { role: 'security_officer', status: 'suspended' });
  await createUser(s, org.id, { role: 'administrator' });
  const target = await createUser(s, org.id, { displayName: 'Tom <b>Target</b>' });
  const other = await createOrg(s);
  const otherOwner = await createUser(s, other.id, { role: 'owner' });
  const ctx = contextFor(s, await actorFor(s, actor));
  const seen = new Set<string>();
  const seenInApp = new Set<string>();
  /** Messages and in-app notifications written since the last call, as "recipient:kind", sorted. */
  const next = async () => {
    // Administrators hear after commit, through the fan-out the worker runs. Each step in a digest window
    // of its own, so every step's first email is sent rather than held for the digest (notice-digest.ts).
    await fanOutNotices(s);
    rt.clock.advance(digestWindowMs);
    const mail = await s.db.selectFrom('outbox_messages').selectAll().where('org_id', '=', org.id).execute();
    const fresh = mail.filter((m) => !seen.has(m.id));
    fresh.forEach((m) => seen.add(m.id));
    const notes = await s.db.selectFrom('notifications').selectAll().where('org_id', '=', org.id).execute();
    const freshNotes = notes.filter((n) => !seenInApp.has(n.id));
    freshNotes.forEach((n) => seenInApp.add(n.id));
    const elsewhere = await s.db
      .selectFrom('outbox_messages')
      .select('id')
      .where('recipient_user_id', '=', otherOwner.id)
      .execute();
    expect(elsewhere).toEqual([]);
    return {
      mail: fresh,
      emails: fresh.map((m) => `${m.recipient_user_id}:${m.kind}`).sort(),
      inApp: freshNotes.map((n) => `${n.user_id}:${n.kind}`).sort(),
    };
  };
  const to = (kind: string, ...users: Pick<UserRow, 'id'>[]) => users.map((u) => `${u.id}:${kind}`).sort();
  return { org, actor, owner2, officer, target, ctx, next, to };
}

const linkIn = (text: string) => /https:\/\/\S+#token=\S+/.exec(text)?.[0] ?? '';
const tokenOf = (link: string) => decodeURIComponent(link.split('#token=')[1] ?? '');

describe('notify: lifecycle notices to exactly the expected people', () => {
  it('invitation, resend, acceptance: the email carries a working link and escaped custom text', async () => {
    const s = rt.services;
    const w = await world(s);
    const message = '<script>alert(1)</script> "onload=x';
    const [issued] = await inviteUsers(w.ctx, {
      invitations: [{ email: 'new@example.test', role: 'user_manager', message }],
    });
    const invitee = issued!.user;
    const first = await w.next();
    expect(first.emails).toEqual(w.to('invitation', invitee));
    expect(first.inApp).toEqual([]);
    const mail = first.mail[0]!;
    expect(mail.recipient_email).toBe('new@example.test');
    expect(mail.subject).toBe('Alice Actor invited you to Acme <Police>');
    for (const part of ['Acme <Police>', 'Alice Actor', 'User Manager', message])
      expect(mail.text_body).toContain(part);
    expect(mail.text_body).toMatch(/expires on \w+ \d+, \d{4} at \d\d:\d\d UTC\./);
    expect(mail.text_body).toContain('UTC');
    expect(mail.html_body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;onload=x');
    expect(mail.html_body).not.toContain('<script>');
    expect(mail.html_body).not.toContain('"onload=');
    expect(mail.html_body).toContain('Acme &lt;Police&gt;');
    expect(mail.html_body).toContain('#1f4e79');
    const oldLink = linkIn(mail.text_body);
    expect(oldLink.startsWith(`${s.config.publicUrl}/accept-invitation#token=`)).toBe(true);
    expect(oldLink).toBe(issued!.link);

    await resendInvitation(w.ctx, { userId: invitee.id });
    const resent = await w.next();
    expect(resent.emails).toEqual(w.to('invitation', invitee));
    const newLink = linkIn(resent.mail[0]!.text_body);
    expect(newLink).not.toBe(oldLink);
    expect(newLink.startsWith(`${s.config.publicUrl}/`)).toBe(true);
    await expect(acceptInvitation(s, { token: tokenOf(oldLink), password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
    });
    expect((await w.next()).emails).toEqual([]);

    await acceptInvitation(s, { token: tokenOf(newLink), password, displayName: 'Nia <i>Newcomer</i>' });
    const activated = await w.next();
    // The system accepted it: the people responsible for the user hear (by default the security officers
    // and department managers, no longer every owner).
    expect(activated.emails).toEqual([...w.to('user_activated', invitee, w.officer)].sort());
    expect(activated.inApp).toEqual(w.to('user_activated', w.officer));
    const adminMail = activated.mail.find((m) => m.recipient_user_id === w.officer.id)!;
    expect(adminMail.text_body).toContain('Roster (automatic)');
    expect(adminMail.subject).toBe('Nia <i>Newcomer</i> joined Acme <Police>');
    expect(adminMail.html_body).toContain('Nia &lt;i&gt;Newcomer&lt;/i&gt; accepted the invitation');
  });

  it('suspend, reactivate, suspension ended, role change, sessions revoked, deactivate', async () => {
    const s = rt.services;
    const w = await world(s);
    // The default audience: the people responsible for the target (no departments here: the active
    // security officer). Owners are no longer told by default.
    const admins = [w.officer];
    const until = new Date(rt.clock.now().getTime() + 48 * hour);

    await expect(suspendUser(w.ctx, { userId: w.target.id, reason: '  ' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await w.next()).emails).toEqual([]);

    await suspendUser(w.ctx, { userId: w.target.id, reason: 'Lost <laptop>', until });
    const suspended = await w.next();
    expect(suspended.emails).toEqual(w.to('user_suspended', w.target, ...admins));
    expect(suspended.inApp).toEqual(w.to('user_suspended', ...admins));
    const own = suspended.mail.find((m) => m.recipient_user_id === w.target.id)!;
    expect(own.subject).toBe('Your account in Acme <Police> was suspended');
    expect(own.text_body).toContain('Reason: Lost <laptop>');
    expect(own.text_body).toContain('Done by: Alice Actor');
    expect(own.text_body).toMatch(/suspended until \w+ \d+, \d{4} at \d\d:\d\d UTC\./);
    expect(own.html_body).toContain('Reason: Lost &lt;laptop&gt;');
    const adminNote = await s.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', w.officer.id)
      .executeTakeFirstOrThrow();
    expect(adminNote.title).toBe('Tom <b>Target</b> was suspended');

    await reactivateUser(w.ctx, { userId: w.target.id });
    expect((await w.next()).emails).toEqual(w.to('user_reactivated', w.target, ...admins));

    await suspendUser(w.ctx, { userId: w.target.id, reason: 'Audit', until });
    expect((await w.next()).emails).toEqual(w.to('user_suspended', w.target, ...admins));
    rt.clock.advance(49 * hour);
    await endDueSuspensions(s, rt.clock.now());
    const ended = await w.next();
    expect(ended.emails).toEqual(w.to('user_suspension_ended', w.target, ...admins));
    expect(ended.inApp).toEqual(w.to('user_suspension_ended', ...admins));

    await authenticatedNow(s, w.ctx.actor);
    await changeUserRole(w.ctx, { userId: w.target.id, role: 'user_manager' });
    const changed = await w.next();
    expect(changed.emails).toEqual(w.to('role_changed', w.target, ...admins));
    expect(changed.mail[0]!.text_body).toContain('Viewer → User Manager');

    await actorFor(s, w.target);
    await revokeUserSessions(w.ctx, { userId: w.target.id });
    const revoked = await w.next();
    expect(revoked.emails).toEqual(w.to('sessions_revoked', w.target, ...admins));
    expect(revoked.inApp).toEqual(w.to('sessions_revoked', ...admins));

    await authenticatedNow(s, w.ctx.actor);
    await deactivateUser(w.ctx, { userId: w.target.id, reason: 'Left' });
    const gone = await w.next();
    expect(gone.emails).toEqual(w.to('user_deactivated', w.target, ...admins));
    expect(gone.mail.find((m) => m.recipient_user_id === w.target.id)!.text_body).toContain('Reason: Left');
  });

  it('respects opt-outs for optional kinds only, the configured admin roles, and never repeats a cause', async () => {
    const s = rt.services;
    const w = await world(s);
    const settings = {
      invitationTtlDays: 7,
      notifications: { adminRecipients: ['security_officer'] },
      brandColor: '#AA0011',
    };
    await s.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify(settings) })
      .where('id', '=', w.org.id)
      .execute();
    await s.db
      .insertInto('notification_opt_outs')
      .values([
        { org_id: w.org.id, user_id: w.target.id, kind: 'user_reactivated' },
        { org_id: w.org.id, user_id: w.target.id, kind: 'user_suspended' },
      ])
      .execute();

    const suspended = await suspendUser(w.ctx, { userId: w.target.id, reason: 'Check' });
    const first = await w.next();
    // Mandatory: the opt-out is ignored. Only security officers are configured now.
    expect(first.emails).toEqual(w.to('user_suspended', w.target, w.officer));
    expect(first.mail[0]!.html_body).toContain('#aa0011');

    await reactivateUser(w.ctx, { userId: w.target.id });
    expect((await w.next()).emails).toEqual(w.to('user_reactivated', w.officer));

    // A retried notify for the same change (same user version) queues nothing new.
    const again = await withTransaction(s.db, (scope) =>
      notify(scope, w.ctx, { kind: 'user_suspended', user: suspended }),
    );
    expect(again.emails).toBe(0);
    expect((await w.next()).emails).toEqual([]);
  });

  it('per-kind recipients: an override replaces the default roles; only active people of the org are told', async () => {
    const s = rt.services;
    const w = await world(s);
    const named = await createUser(s, w.org.id, { role: 'administrator' });
    const sleeper = await createUser(s, w.org.id, { role: 'user_manager', status: 'suspended' });
    const foreign = await createUser(s, (await createOrg(s)).id, { role: 'owner' });

    // Another organisation's user, an unknown id and an invitation kind are refused, naming the field.
    await expect(
      updateNotificationSettings(w.ctx, { adminRecipientUserIds: [foreign.id] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'adminRecipientUserIds' } });
    await expect(
      updateNotificationSettings(w.ctx, {
        byKind: [{ kind: 'user_suspended', roles: [], userIds: [named.id, foreign.id] }],
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'byKind.0.userIds' } });
    await expect(
      updateNotificationSettings(w.ctx, {
        byKind: [{ kind: 'invitation' as never, roles: ['owner'], userIds: [] }],
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'byKind.0.kind' } });

    // The actor and a suspended person may be named: neither is told.
    const saved = await updateNotificationSettings(w.ctx, {
      byKind: [{ kind: 'user_suspended', roles: [], userIds: [named.id, sleeper.id, w.actor.id] }],
    });
    expect(saved.byKind).toEqual([
      {
        kind: 'user_suspended',
        responsible: false,
        roles: [],
        userIds: [named.id, sleeper.id, w.actor.id],
      },
    ]);
    expect(saved.adminRecipients).toEqual([]);

    await suspendUser(w.ctx, { userId: w.target.id, reason: 'Check' });
    const suspended = await w.next();
    expect(suspended.emails).toEqual(w.to('user_suspended', w.target, named));
    expect(suspended.inApp).toEqual(w.to('user_suspended', named));
    // Other kinds still go to the default roles only.
    await reactivateUser(w.ctx, { userId: w.target.id });
    expect((await w.next()).emails).toEqual(w.to('user_reactivated', w.target, w.officer));

    // Back to the defaults for suspensions, now with a default person besides the roles.
    await updateNotificationSettings(w.ctx, {
      resetKinds: ['user_suspended'],
      adminRecipientUserIds: [named.id],
    });
    await suspendUser(w.ctx, { userId: w.target.id, reason: 'Again' });
    expect((await w.next()).emails).toEqual(w.to('user_suspended', w.target, w.officer, named));

    // An override with nobody in it silences that kind for administrators (the user is still told).
    await updateNotificationSettings(w.ctx, {
      byKind: [{ kind: 'user_reactivated', roles: [], userIds: [] }],
    });
    await reactivateUser(w.ctx, { userId: w.target.id });
    const silent = await w.next();
    expect(silent.emails).toEqual(w.to('user_reactivated', w.target));
    expect(silent.inApp).toEqual([]);

    // Ids that slipped into the stored settings (another org's user, garbage) are skipped, not an error.
    await s.db
      .updateTable('organizations')
      .set({
        settings: JSON.stringify({
          notifications: {
            adminRecipients: [],
            byKind: { user_suspended: { roles: [], userIds: [foreign.id, 'not-an-id', named.id] } },
          },
        }),
      })
      .where('id', '=', w.org.id)
      .execute();
    await suspendUser(w.ctx, { userId: w.target.id, reason: 'Stale settings' });
    expect((await w.next()).emails).toEqual(w.to('user_suspended', w.target, named));
  });
});
