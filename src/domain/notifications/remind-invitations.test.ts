import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { inviteUsers } from '../users/invite-users.js';
import { remindInvitations } from './remind-invitations.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const hour = 3_600_000;

describe('remindInvitations', () => {
  it('reminds once, inside the window, without a link; respects 0 (off) and short invitations', async () => {
    const s = rt.services;
    const org = await createOrg(s, 'Remind Org');
    const off = await createOrg(s, 'Quiet Org');
    await s.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ invitationTtlDays: 7, invitationReminderHours: 0 }) })
      .where('id', '=', off.id)
      .execute();
    const inviter = await createUser(s, org.id, { role: 'owner', displayName: 'Ivy Inviter' });
    const quietInviter = await createUser(s, off.id, { role: 'owner' });
    const ctx = contextFor(s, await actorFor(s, inviter));
    const [long, short] = await inviteUsers(ctx, {
      invitations: [
        { email: 'long@example.test', role: 'viewer', expiresInDays: 3 },
        { email: 'short@example.test', role: 'viewer', expiresInDays: 1 },
      ],
    });
    await inviteUsers(contextFor(s, await actorFor(s, quietInviter)), {
      invitations: [{ email: 'quiet@example.test', role: 'viewer', expiresInDays: 3 }],
    });
    const reminders = () =>
      s.db.selectFrom('outbox_messages').selectAll().where('kind', '=', 'invitation_reminder').execute();

    expect(await remindInvitations(s, rt.clock.now())).toEqual({ reminded: 0, failed: 0 });
    rt.clock.advance(49 * hour);
    expect(await remindInvitations(s, rt.clock.now())).toEqual({ reminded: 1, failed: 0 });
    const [mail] = await reminders();
    expect(mail).toMatchObject({ org_id: org.id, recipient_user_id: long!.user.id });
    expect(mail!.subject).toBe('Reminder: your invitation to Remind Org expires soon');
    expect(mail!.text_body).toContain(
      'use the link in your invitation email, or ask Ivy Inviter to resend it',
    );
    expect(mail!.text_body).not.toContain('#token=');
    expect(mail!.html_body).not.toContain('#token=');
    expect(short!.user.id).not.toBe(long!.user.id);

    rt.clock.advance(hour);
    expect(await remindInvitations(s, rt.clock.now())).toEqual({ reminded: 0, failed: 0 });
    expect(await reminders()).toHaveLength(1);
  });
});
