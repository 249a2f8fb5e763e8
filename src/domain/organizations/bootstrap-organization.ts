import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import type { OrganizationRow } from '../../db/schema.js';
import { recordAuditEvents } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { defaultInvitationTtlDays, invitationLink, issueInvitation } from '../invitations/invitation-link.js';
import { normalizeEmail, searchTextOf } from '../users/user-record.js';

export const bootstrapInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    slug: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lower-case letters, digits and dashes, 1 to 64'),
    ownerEmail: z.string().trim().email().max(320),
    ownerName: z.string().trim().max(200).optional(),
  })
  .strict();

export interface BootstrapResult {
  organization: OrganizationRow;
  ownerId: string;
  /** One-time link with which the owner sets a password. Shown once. */
  setupLink: string;
  setupToken: string;
}

/**
 * Creates an organisation with its first owner (an operator's act, from the CLI or first start). The owner
 * starts as invited and becomes active by accepting the one-time setup link.
 */
export async function bootstrapOrganization(
  services: Services,
  raw: z.input<typeof bootstrapInput>,
): Promise<BootstrapResult> {
  const input = parseInput(bootstrapInput, raw);
  const now = services.clock.now();
  return withTransaction(services.db, async ({ trx }) => {
    const exists = await trx
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', input.slug)
      .executeTakeFirst();
    if (exists) throw new DomainError('ORGANIZATION_EXISTS');
    const org = await trx
      .insertInto('organizations')
      .values({
        name: input.name,
        slug: input.slug,
        settings: JSON.stringify({ invitationTtlDays: defaultInvitationTtlDays }),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const displayName = input.ownerName ?? '';
    const owner = await trx
      .insertInto('users')
      .values({
        org_id: org.id,
        email: input.ownerEmail,
        email_normalized: normalizeEmail(input.ownerEmail),
        display_name: displayName,
        search_text: searchTextOf(displayName, input.ownerEmail),
        role: 'owner',
        status: 'invited',
        created_at: now,
        updated_at: now,
        status_changed_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const expiresAt = new Date(now.getTime() + defaultInvitationTtlDays * 86_400_000);
    const inv = await issueInvitation(trx, {
      orgId: org.id,
      userId: owner.id,
      role: 'owner',
      message: null,
      invitedBy: null,
      expiresAt,
      now,
    });
    await recordAuditEvents(
      trx,
      org.id,
      { actor: { type: 'system', orgId: org.id, name: 'cli' }, meta: {}, now },
      [
        {
          action: 'organization.created',
          targetType: 'organization',
          targetId: org.id,
          changes: { name: org.name, slug: org.slug },
        },
        {
          action: 'user.invited',
          targetType: 'user',
          targetId: owner.id,
          changes: { email: input.ownerEmail, role: 'owner', expiresAt },
        },
      ],
    );
    return {
      organization: org,
      ownerId: owner.id,
      setupLink: invitationLink(services.config.publicUrl, inv.token),
      setupToken: inv.token,
    };
  });
}
