import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { Actor, CommandContext, RequestMeta, Services } from '../../domain/shared/context.js';

/** What every resolver receives. The actor comes from the verified access token only. */
export interface GraphQLContext {
  services: Services;
  actor: Actor | null;
  /** Why the request is anonymous when it carried a token (expired, revoked, malformed). */
  authFailure: string | null;
  /** The person of an enrolment-only session: accepted by `enrolmentContext` alone (authenticate.ts). */
  enrolling: Actor | null;
  /** A personal API token over its rate limit (authenticate.ts): RATE_LIMITED with the wait. */
  rateLimited?: { retryAfterSeconds: number } | null;
  meta: RequestMeta;
  request: FastifyRequest;
  reply: FastifyReply;
}

const commandContexts = new WeakMap<GraphQLContext, CommandContext>();

/**
 * The command context of a signed-in viewer; UNAUTHENTICATED otherwise. One per request, so what is
 * loaded once per request (the viewer's managed departments, `accessOf`) is shared by all resolvers.
 */
export function commandContext(ctx: GraphQLContext): CommandContext {
  if (!ctx.actor) {
    if (ctx.rateLimited) throw new DomainError('RATE_LIMITED', undefined, { ...ctx.rateLimited });
    if (ctx.enrolling) throw new DomainError('MFA_ENROLMENT_REQUIRED');
    throw new DomainError('UNAUTHENTICATED', ctx.authFailure ?? undefined);
  }
  return contextFor(ctx, ctx.actor);
}

/**
 * For the few operations an enrolment-only session may use — enrolling a second factor, reading what the
 * policy asks, signing out — and every ordinary session: the command context of either.
 */
export function enrolmentContext(ctx: GraphQLContext): CommandContext {
  const actor = ctx.actor ?? ctx.enrolling;
  if (!actor) throw new DomainError('UNAUTHENTICATED', ctx.authFailure ?? undefined);
  return contextFor(ctx, actor);
}

function contextFor(ctx: GraphQLContext, actor: Actor): CommandContext {
  let c = commandContexts.get(ctx);
  if (!c) {
    c = { ...ctx.services, actor, meta: ctx.meta };
    commandContexts.set(ctx, c);
  }
  return c;
}
