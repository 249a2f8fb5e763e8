import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { reactivateUser } from '../../src/domain/users/reactivate-user.js';
import { suspendUser } from '../../src/domain/users/suspend-user.js';
import { fanOutNotices } from '../../src/domain/notifications/fan-out-notices.js';
import { actorFor, contextFor, createOrg, createUser } from '../support/factories.js';
import { gql, signInAs } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

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

const listQuery = `query($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    edges { cursor node { id kind title body userId readAt } }
    pageInfo { hasNextPage endCursor }
  }
  unreadNotificationCount
}`;
const markRead = `mutation($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { markedCount unreadCount userErrors { code field } }
}`;
const prefs = `mutation($input: UpdateMyNotificationPreferencesInput!) {
  updateMyNotificationPreferences(input: $input) { optedOut userErrors { code field } }
}`;
const settingsMutation = `mutation($input: UpdateNotificationSettingsInput!) {
  updateNotificationSettings(input: $input) {
    settings { adminRecipients invitationReminderHours brandColor } userErrors { code field }
  }
}`;

describe('notifications over GraphQL', () => {
  it('lists, counts and marks read only the viewer’s own notifications', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const officerB = await createUser(s, org.id, { role: 'security_officer' });
    const officerC = await createUser(s, org.id, { role: 'security_officer' });
    const target = await createUser(s, org.id, { displayName: 'Tina Target' });
    const ctx = contextFor(s, await actorFor(s, owner));
    await suspendUser(ctx, { userId: target.id, reason: 'Check' });
    await reactivateUser(ctx, { userId: target.id });
    // Administrators hear after commit: the worker's fan-out (run here directly).
    await fanOutNotices(s);
    const b = (await signInAs(rt, app, officerB)).accessToken;
    const c = (await signInAs(rt, app, officerC)).accessToken;
    const o = (await signInAs(rt, app, owner)).accessToken;

    const all = await gql(app, listQuery, {}, b);
    expect(all.body.errors).toBeUndefined();
    const edges = all.body.data.notifications.edges;
    expect(edges.map((e: { node: { kind: string } }) => e.node.kind).sort()).toEqual([
      'USER_REACTIVATED',
      'USER_SUSPENDED',
    ]);
    expect(edges[0].node.userId).toBe(target.id);
    expect(all.body.data.unreadNotificationCount).toBe(2);
    // The actor hears nothing about their own actions.
    expect((await gql(app, listQuery, {}, o)).body.data.unreadNotificationCount).toBe(0);

    const page1 = (await gql(app, listQuery, { first: 1 }, b)).body.data.notifications;
    expect(page1.edges).toHaveLength(1);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await gql(app, listQuery, { first: 1, after: page1.pageInfo.endCursor }, b)).body.data
      .notifications;
    expect(page2.edges).toHaveLength(1);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.edges[0].node.id).not.toBe(page1.edges[0].node.id);

    // C's notification ids are ignored when B marks them.
    const cIds = (await gql(app, listQuery, {}, c)).body.data.notifications.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    const foreign = await gql(app, markRead, { input: { ids: cIds } }, b);
    expect(foreign.body.data.markNotificationsRead).toEqual({
      markedCount: 0,
      unreadCount: 2,
      userErrors: [],
    });
    expect((await gql(app, listQuery, {}, c)).body.data.unreadNotificationCount).toBe(2);

    const one = await gql(app, markRead, { input: { ids: [edges[0].node.id] } }, b);
    expect(one.body.data.markNotificationsRead).toMatchObject({ markedCount: 1, unreadCount: 1 });
    const unread = (await gql(app, listQuery, { unreadOnly: true }, b)).body.data.notifications.edges;
    expect(unread.map((e: { node: { id: string } }) => e.node.id)).toEqual([edges[1].node.id]);
    const rest = await gql(app, markRead, { input: { all: true } }, b);
    expect(rest.body.data.markNotificationsRead).toMatchObject({ markedCount: 1, unreadCount: 0 });
    expect((await gql(app, listQuery, {}, c)).body.data.unreadNotificationCount).toBe(2);

    const anonymous = await gql(app, '{ unreadNotificationCount }');
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('preferences refuse mandatory kinds; settings need organization:update and are audited', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const officer = await createUser(s, org.id, { role: 'security_officer' });
    const o = (await signInAs(rt, app, owner)).accessToken;
    const x = (await signInAs(rt, app, officer)).accessToken;

    const refused = await gql(app, prefs, { input: { optOut: ['USER_SUSPENDED'] } }, x);
    expect(refused.body.data.updateMyNotificationPreferences.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'optOut' },
    ]);
    const ok = await gql(app, prefs, { input: { optOut: ['USER_REACTIVATED', 'USER_ACTIVATED'] } }, x);
    expect(ok.body.data.updateMyNotificationPreferences).toEqual({
      optedOut: ['USER_ACTIVATED', 'USER_REACTIVATED'],
      userErrors: [],
    });
    const back = await gql(app, prefs, { input: { optIn: ['USER_ACTIVATED'] } }, x);
    expect(back.body.data.updateMyNotificationPreferences.optedOut).toEqual(['USER_REACTIVATED']);

    const current = await gql(
      app,
      '{ notificationSettings { adminRecipients invitationReminderHours brandColor } }',
      {},
      o,
    );
    // No role by default (issue 10 item 0): the people responsible for each user are told instead.
    expect(current.body.data.notificationSettings).toEqual({
      adminRecipients: [],
      invitationReminderHours: 24,
      brandColor: '#1f4e79',
    });
    const forbidden = await gql(app, settingsMutation, { input: { invitationReminderHours: 0 } }, x);
    expect(forbidden.body.data.updateNotificationSettings.userErrors[0].code).toBe('FORBIDDEN');
    const badColor = await gql(app, settingsMutation, { input: { brandColor: 'red;x:y' } }, o);
    expect(badColor.body.data.updateNotificationSettings.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'brandColor' },
    ]);
    const changed = await gql(
      app,
      settingsMutation,
      { input: { adminRecipients: ['ADMINISTRATOR'], invitationReminderHours: 48, brandColor: '#00AA00' } },
      o,
    );
    expect(changed.body.data.updateNotificationSettings).toEqual({
      settings: { adminRecipients: ['ADMINISTRATOR'], invitationReminderHours: 48, brandColor: '#00aa00' },
      userErrors: [],
    });
    const events = await s.db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('action', '=', 'organization.notification_settings_updated')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.changes).toMatchObject({ invitationReminderHours: { from: 24, to: 48 } });
  });

  it('settings name people and per-kind recipients; refuses foreign people and invitation kinds', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const person = await createUser(s, org.id, { role: 'administrator' });
    const foreign = await createUser(s, (await createOrg(s)).id, { role: 'owner' });
    const o = (await signInAs(rt, app, owner)).accessToken;
    const mutation = `mutation($input: UpdateNotificationSettingsInput!) {
      updateNotificationSettings(input: $input) {
        settings { adminRecipients adminRecipientUserIds byKind { kind roles userIds } }
        userErrors { code field }
      }
    }`;
    const run = async (input: unknown) =>
      (await gql(app, mutation, { input }, o)).body.data.updateNotificationSettings;

    expect((await run({ adminRecipientUserIds: [foreign.id] })).userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'adminRecipientUserIds' },
    ]);
    expect(
      (await run({ byKind: [{ kind: 'USER_SUSPENDED', roles: [], userIds: [foreign.id] }] })).userErrors,
    ).toEqual([{ code: 'VALIDATION_FAILED', field: 'byKind.0.userIds' }]);
    expect(
      (await run({ byKind: [{ kind: 'INVITATION', roles: ['OWNER'], userIds: [] }] })).userErrors,
    ).toEqual([{ code: 'VALIDATION_FAILED', field: 'byKind.0.kind' }]);
    expect((await run({ resetKinds: ['INVITATION_REMINDER'] })).userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'resetKinds.0' },
    ]);
    const tooMany = Array.from({ length: 51 }, () => person.id);
    expect((await run({ adminRecipientUserIds: tooMany })).userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'adminRecipientUserIds' },
    ]);

    const set = await run({
      adminRecipientUserIds: [person.id],
      byKind: [
        { kind: 'USER_SUSPENDED', roles: ['SECURITY_OFFICER'], userIds: [person.id] },
        { kind: 'USER_DEACTIVATED', roles: [], userIds: [] },
      ],
    });
    expect(set).toEqual({
      settings: {
        adminRecipients: [],
        adminRecipientUserIds: [person.id],
        byKind: [
          { kind: 'USER_SUSPENDED', roles: ['SECURITY_OFFICER'], userIds: [person.id] },
          { kind: 'USER_DEACTIVATED', roles: [], userIds: [] },
        ],
      },
      userErrors: [],
    });
    rt.clock.advance(1000); // the two audit events then sort by time
    const reset = await run({ resetKinds: ['USER_SUSPENDED'] });
    expect(reset.settings.byKind).toEqual([{ kind: 'USER_DEACTIVATED', roles: [], userIds: [] }]);

    const events = await s.db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('action', '=', 'organization.notification_settings_updated')
      .orderBy('occurred_at')
      .execute();
    expect(events).toHaveLength(2);
    expect(events[0]?.changes).toMatchObject({ adminRecipientUserIds: { from: [], to: [person.id] } });
    expect(events[1]?.changes).toMatchObject({
      byKind: {
        from: [
          { kind: 'user_suspended', roles: ['security_officer'], userIds: [person.id] },
          { kind: 'user_deactivated', roles: [], userIds: [] },
        ],
        to: [{ kind: 'user_deactivated', roles: [], userIds: [] }],
      },
    });
  });
});
