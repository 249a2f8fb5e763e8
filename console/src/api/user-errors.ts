import { graphql } from '../graphql';

/** What every mutation payload's `userErrors` carries: the stable code, the message, the field. */
export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    code
    message
    field
  }
`);
