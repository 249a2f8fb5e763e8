import { graphql, type ResultOf } from '../../graphql';

export const MyMfaRequirementQuery = graphql(`
  query MyMfaRequirement {
    myMfaRequirement {
      required
      phishingResistant
      dueAt
      satisfied
      enforced
      restricted
      email
      displayName
    }
  }
`);

export type MyMfaRequirement = ResultOf<typeof MyMfaRequirementQuery>['myMfaRequirement'];
export const mfaRequirementKey = ['me', 'mfaRequirement'] as const;
