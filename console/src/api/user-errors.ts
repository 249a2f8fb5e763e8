import { graphql } from '../graphql';

/**
 * What every mutation payload's `userErrors` carries: the stable code, the message, the field, and the
 * user it is about when the viewer may act on them (e.g. a pending invitation to resend).
 */
export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    code
    message
    field
    userId
  }
`);
