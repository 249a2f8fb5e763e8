import { sql } from 'kysely';
import type { RoleKey } from '../../src/authz/roles.js';
import type { Services } from '../../src/domain/shared/context.js';

/**
 * `n` active holders of `role` in one statement (generate_series), for audience tests of 1k-100k people:
 * the factories' one INSERT per user would take minutes. Creation times repeat in groups of seven, so a
 * keyset over (created_at, id) meets many ties.
 */
export async function seedHolders(
  services: Services,
  orgId: string,
  role: RoleKey,
  n: number,
): Promise<void> {
  const tag = `${role}-${Math.random().toString(36).slice(2, 8)}`;
  await sql`
    insert into users (org_id, email, email_normalized, display_name, search_text, role, status,
      status_changed_at, created_at, updated_at, activated_at)
    select ${orgId}::uuid, e, e, 'Holder ' || g, 'holder ' || g || ' ' || e, ${role}, 'active',
      now(), now() - (g / 7) * interval '1 millisecond', now(), now()
    from generate_series(1, ${n}::int) as g, lateral (select ${tag} || '-' || g || '@example.test' as e) x`.execute(
    services.db,
  );
}
