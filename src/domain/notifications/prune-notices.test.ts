import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { noticeRetentionMs, pruneNotices } from './prune-notices.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

it('forgets notices finished past the retention, keeps recent and pending ones', async () => {
  const s = rt.services;
  const org = await createOrg(s);
  const user = await createUser(s, org.id);
  const now = rt.clock.now();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const notice = (cause: string, status: 'pending' | 'done', completedAt: Date | null) => ({
    org_id: org.id,
    kind: 'user_suspended',
    cause,
    affected_user_id: user.id,
    params: JSON.stringify({}),
    audience: JSON.stringify({ responsible: true, roles: [], userIds: [] }),
    status,
    completed_at: completedAt,
    created_at: completedAt ?? ago(2 * noticeRetentionMs),
  });
  await s.db
    .insertInto('notices')
    .values([
      notice('old-done', 'done', ago(noticeRetentionMs + 60_000)),
      notice('old-done-2', 'done', ago(2 * noticeRetentionMs)),
      notice('recent-done', 'done', ago(noticeRetentionMs - 60_000)),
      notice('old-pending', 'pending', null),
    ])
    .execute();
  expect(await pruneNotices(s.db, now)).toBe(2);
  const left = await s.db
    .selectFrom('notices')
    .select('cause')
    .where('org_id', '=', org.id)
    .orderBy('cause')
    .execute();
  expect(left.map((r) => r.cause)).toEqual(['old-pending', 'recent-done']);
});
