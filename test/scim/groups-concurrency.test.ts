import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberBatchSize } from '../../src/domain/departments/change-department-members.js';
import { setUserDepartments } from '../../src/domain/departments/set-user-departments.js';
import { updateDepartment } from '../../src/domain/departments/update-department.js';
import {
  insertPeople,
  json,
  openScimHarness,
  patchOf,
  scimSchemas,
  type ScimHarness,
} from '../support/scim-http.js';

// Group PATCHes that lock thousands of users, in batches, at once: three identity-provider workers adding
// overlapping sets of people to three groups, while the console renames the groups and re-places some of the
// same people. Every transaction takes its rows in the documented order (department, then users by id
// ascending, then the audit chain head), so none may deadlock or lose a change; on the embedded database the
// same requests simply queue.

let h: ScimHarness;
beforeAll(async () => {
  h = await openScimHarness('SCIM group concurrency org', 'user_manager', ['users', 'groups']);
});
afterAll(async () => {
  await h?.close();
});

describe('concurrent group PATCHes', () => {
  it('three workers over overlapping people, with console changes beside them: no error, nothing lost', async () => {
    const people = await insertPeople(h, Math.round(memberBatchSize * 1.5), 'overlap');
    const groups: string[] = [];
    for (const name of ['Alpha', 'Bravo', 'Charlie']) {
      const r = await h.scim('POST', '/Groups', { schemas: [scimSchemas.group], displayName: name });
      expect(r.statusCode, r.body).toBe(201);
      groups.push(json(r).id);
    }
    // Each worker adds everyone, in its own order (reversed for one), in one request.
    const add = (groupId: string, ids: string[]) =>
      h.scim(
        'PATCH',
        `/Groups/${groupId}`,
        patchOf({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }),
      );
    const consoleEdits = async () => {
      for (let i = 0; i < 5; i++) {
        await updateDepartment(h.ctx, { departmentId: groups[i % 3]!, name: `Renamed ${i}` });
      }
    };
    const [a, b, c] = await Promise.all([
      add(groups[0]!, people),
      add(groups[1]!, [...people].reverse()),
      add(groups[2]!, people.slice(0, memberBatchSize)),
      consoleEdits(),
    ]);
    for (const r of [a, b, c]) expect(r!.statusCode, r!.body).toBe(204);
    const someone = people[0]!;
    const count = async (groupId: string) =>
      Number(
        (
          await h.rt.services.db
            .selectFrom('user_departments')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('department_id', '=', groupId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count(groups[0]!)).toBe(people.length);
    expect(await count(groups[1]!)).toBe(people.length);
    expect(await count(groups[2]!)).toBe(memberBatchSize);
    // Exactly one primary each, and it is one of the groups.
    const primaries = await h.rt.services.db
      .selectFrom('user_departments')
      .select((eb) => ['user_id', eb.fn.countAll<string>().as('n')])
      .where('user_id', 'in', people)
      .where('is_primary', '=', true)
      .groupBy('user_id')
      .execute();
    expect(primaries.length).toBe(people.length);
    expect(primaries.every((p) => Number(p.n) === 1)).toBe(true);
    // A console placement of one of them works afterwards (nothing left locked or half-written).
    await setUserDepartments(h.ctx, {
      userId: someone,
      primaryDepartmentId: groups[2]!,
      secondaryDepartmentIds: [groups[0]!],
    });
    const audit = await h.rt.services.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'user.departments_changed')
      .where('target_id', 'in', people)
      .executeTakeFirstOrThrow();
    expect(Number(audit.n)).toBe(people.length * 2 + memberBatchSize + 1);
  }, 120_000);
});
