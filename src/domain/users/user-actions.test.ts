import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { accessOf } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { createDepartment } from '../departments/create-department.js';
import { setDepartmentManagers } from '../departments/set-department-managers.js';
import { setUserDepartments } from '../departments/set-user-departments.js';
import type { CommandContext } from '../shared/context.js';
import { userActionsOf } from './user-actions.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

/** A context whose database counts the queries it runs. */
function counted(ctx: CommandContext): { ctx: CommandContext; queries: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { ctx: { ...ctx, db: ctx.db.withPlugin(plugin) }, queries: () => n };
}

describe('userActionsOf', () => {
  it('answers a page of 100 users with one query for a manager and none for anyone else', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'administrator' })));
    const a = await createDepartment(admin, { name: 'A' });
    const a1 = await createDepartment(admin, { name: 'A1', parentId: a.id });
    const b = await createDepartment(admin, { name: 'B' });
    const manager = await createUser(s, org.id, { role: 'analyst' });
    await setDepartmentManagers(admin, { departmentId: a.id, userIds: [manager.id] });
    const users: UserRow[] = [];
    for (let i = 0; i < 100; i += 1) {
      const u = await createUser(s, org.id, { role: i % 10 === 0 ? 'administrator' : 'viewer' });
      const primary = [a.id, a1.id, b.id, null][i % 4] ?? null;
      await setUserDepartments(admin, {
        userId: u.id,
        primaryDepartmentId: primary,
        secondaryDepartmentIds: [],
      });
      users.push(await s.db.selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow());
    }

    const m = counted(contextFor(s, await actorFor(s, manager)));
    await accessOf(m.ctx); // loaded once per request, before any field resolves
    const before = m.queries();
    const answers = await userActionsOf(m.ctx, users);
    expect(m.queries() - before).toBe(1);
    answers.forEach((can, i) => {
      const inA = i % 4 === 0 || i % 4 === 1;
      const writable = users[i]!.role === 'viewer';
      expect({ i, suspend: can.suspend }).toEqual({ i, suspend: inA && writable });
    });

    const um = counted(
      contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'user_manager' }))),
    );
    await accessOf(um.ctx);
    const umBefore = um.queries();
    const umAnswers = await userActionsOf(um.ctx, users);
    expect(um.queries() - umBefore).toBe(0);
    // org-wide too, suspension is capped by the target's role (issue 10, point 7): not the administrators
    umAnswers.forEach((can, i) => {
      expect({ i, suspend: can.suspend }).toEqual({ i, suspend: users[i]!.role === 'viewer' });
    });
  });
});
