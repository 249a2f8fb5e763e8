import { getMyMfaRequirement, type MyMfaRequirement } from '../../../domain/mfa/get-my-mfa-requirement.js';
import { builder } from '../builder.js';
import { enrolmentContext } from '../context.js';

const MfaRequirementRef = builder.objectRef<MyMfaRequirement>('MfaRequirement').implement({
  description: 'What the organisation’s multi-factor policy asks of the signed-in person.',
  fields: (t) => ({
    required: t.exposeBoolean('required', { description: 'Their role is covered by the policy.' }),
    phishingResistant: t.exposeBoolean('phishingResistant', {
      description: 'Only a passkey satisfies it (an authenticator app does not).',
    }),
    dueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The end of their grace period; null when not required.',
      resolve: (r) => r.dueAt,
    }),
    satisfied: t.exposeBoolean('satisfied', { description: 'They have enrolled what the policy asks for.' }),
    enforced: t.exposeBoolean('enforced', {
      description: 'Required, not satisfied, and past the grace period: sign-in leads to enrolment only.',
    }),
    restricted: t.exposeBoolean('restricted', {
      description:
        'This session may only enrol a factor; once one is enrolled, refresh the session for an unrestricted token.',
    }),
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName', { nullable: true }),
  }),
});

builder.queryFields((t) => ({
  myMfaRequirement: t.field({
    type: MfaRequirementRef,
    description:
      'What the MFA policy asks of you: the grace period, and whether this session is limited to enrolment. Also answers an enrolment-only session.',
    resolve: (_r, _a, ctx) => getMyMfaRequirement(enrolmentContext(ctx)),
  }),
}));
