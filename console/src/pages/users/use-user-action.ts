import { useMutation, useQueryClient } from '@tanstack/react-query';
import { notifyDone } from '../../ui/notify';

/**
 * A change to one user: on success, everything that shows users, sessions or the audit trail is
 * reloaded (never patched by guess), and a short confirmation appears.
 */
export function useUserAction<V>(
  action: (variables: V) => Promise<unknown>,
  done: string,
  onDone?: () => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: async () => {
      onDone?.();
      notifyDone(done);
      await Promise.all(
        [['user'], ['users'], ['sessions'], ['audit'], ['invitations'], ['notifications']].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      );
    },
  });
}
