import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { request } from '../api/client';
import { session } from '../api/session';
import { graphql } from '../graphql';
import { UserErrorFields } from '../api/user-errors';

const SignOut = graphql(
  `
    mutation SignOut {
      signOut {
        ok
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

/** Ends the session on the server, then forgets the tokens here whatever the server said. */
export function useSignOut() {
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async () => {
      try {
        await request(SignOut);
      } finally {
        session.end(null);
      }
    },
    onSettled: () => navigate('/sign-in', { replace: true }),
  });
}
