import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { inviteUsers } from '../users/invite-users.js';
import { acceptInvitation } from './accept-invitation.js';
import { timeToAcceptSeconds } from './invitation-rules.js';
import { encodeInvitationCursor, latestInvitationsOf, listInvitations } from './list-invitations.js';
import { resendInvitation } from './resend-invitation.js';
import { revokeInvitation } from './revoke-invitation.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const day = 86_400_000;
const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#token=/, ''));

describe('listInvitations', () => {
  it('pages newest first by keyset, filters by effective status, and stays inside the organisation', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const ctx = contextFor(s, await actorFor(s, admin));
    const other = await createOrg(s);
    const otherAdmin = contextFor(
      s,
      await actorFor(s, await createUser(s, other.id, { role: 'administrator' })),
    );
    await inviteUsers(otherAdmin, { invitations: [{ email: 'elsewhere@example.test', role: 'viewer' }] });

    // 5 invitations in one batch (same created_at, ordered by id), then 2 later ones, one of which expires
    const batch = await inviteUsers(ctx, {
      invitations: Array.from({ length: 5 }, (_, i) => ({ email: `b${i}@example.test`, role: 'viewer' })),
    });
    rt.clock.advance(60_000);
    const [shortLived] = await inviteUsers(ctx, {
      invitations: [{ email: 'short@example.test', role: 'viewer', expiresInDays: 1 }],
    });
    rt.clock.advance(60_000);
    const [accepted] = await inviteUsers(ctx, {
      invitations: [{ email: 'acc@example.test', role: 'analyst' }],
    });
    rt.clock.advance(90_000);
    await acceptInvitation(s, { token: tokenOf(accepted!.link), password: 'a long enough pass phrase 9' });
    await revokeInvitation(ctx, { userId: batch[0]!.user.id });
    rt.clock.advance(day);

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await listInvitations(ctx, { first: 3, after });
      seen.push(...page.edges.map((e) => e.node.invitation.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    const batchIds = batch
      .map((b) => b.invitation.invitation.id)
      .sort()
      .reverse();
    expect(seen).toEqual([
      accepted!.invitation.invitation.id,
      shortLived!.invitation.invitation.id,
      ...batchIds,
    ]);

    const all = await listInvitations(ctx, {});
    const byId = new Map(all.edges.map((e) => [e.node.invitation.id, e.node]));
    const acc = byId.get(accepted!.invitation.invitation.id)!;
    expect(acc).toMatchObject({
      status: 'accepted',
      user: { id: accepted!.user.id },
      invitedBy: { id: admin.id },
    });
    expect(timeToAcceptSeconds(acc.invitation)).toBe(90);
    expect(byId.get(shortLived!.invitation.invitation.id)!.status).toBe('expired');
    expect(byId.get(batch[0]!.invitation.invitation.id)!.status).toBe('revoked');

    const ids = async (status: 'pending' | 'expired' | 'accepted' | 'revoked' | 'superseded') =>
      (await listInvitations(ctx, { status })).edges.map((e) => e.node.invitation.id);
    expect(await ids('expired')).toEqual([shortLived!.invitation.invitation.id]);
    expect(await ids('pending')).toEqual(batchIds.filter((id) => id !== batch[0]!.invitation.invitation.id));
    expect(await ids('accepted')).toEqual([accepted!.invitation.invitation.id]);
    expect(await ids('revoked')).toEqual([batch[0]!.invitation.invitation.id]);
    expect(await ids('superseded')).toEqual([]);
  });

  it('needs invitations:read and refuses bad cursors and page sizes', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const analyst = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'analyst' })));
    await expect(listInvitations(analyst, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const auditor = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'auditor' })));
    await expect(listInvitations(auditor, {})).resolves.toMatchObject({ edges: [] });
    await expect(listInvitations(auditor, { after: 'garbage' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'after' },
    });
    const forged = encodeInvitationCursor(
      "2026-01-01'; drop table users; --",
      '00000000-0000-4000-8000-000000000000',
    );
    await expect(listInvitations(auditor, { after: forged })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(listInvitations(auditor, { first: 101 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(listInvitations(auditor, { first: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('gives each user’s latest invitation in one call, in the order asked', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const other = await createOrg(s);
    const ctx = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'administrator' })));
    const [revoked, resent] = await inviteUsers(ctx, {
      invitations: [
        { email: 'late@example.test', role: 'viewer' },
        { email: 'again@example.test', role: 'viewer' },
      ],
    });
    rt.clock.advance(1000);
    await revokeInvitation(ctx, { userId: revoked!.user.id });
    const second = await resendInvitation(ctx, { userId: resent!.user.id });
    const never = await createUser(s, org.id);
    const stranger = await createUser(s, other.id, { status: 'invited' });

    const views = await latestInvitationsOf(ctx, [never, resent!.user, stranger, revoked!.user]);
    expect(views[0]).toBeNull();
    expect(views[1]).toMatchObject({
      status: 'pending',
      invitation: { id: second.invitation.invitation.id },
    });
    expect(views[2]).toBeNull();
    expect(views[3]).toMatchObject({
      status: 'revoked',
      invitation: { id: revoked!.invitation.invitation.id },
    });

    const analyst = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'analyst' })));
    await expect(latestInvitationsOf(analyst, [revoked!.user])).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
