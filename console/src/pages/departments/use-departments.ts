import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { request } from '../../api/client';
import { DepartmentsTreeQuery } from '../../api/departments-documents';
import { notifyDone } from '../../ui/notify';
import { buildTree } from './tree-model';

/** The department tree the viewer may read (all of it, or the subtrees a manager manages). */
export function useDepartmentTree(enabled = true) {
  const query = useQuery({
    queryKey: ['departments', 'tree'],
    queryFn: async () => (await request(DepartmentsTreeQuery)).departments,
    enabled,
  });
  const tree = useMemo(() => (query.data ? buildTree(query.data) : null), [query.data]);
  return { query, tree };
}

/**
 * A change to the organisation's departments: on success everything that shows departments, members,
 * costs, permissions or the audit trail is reloaded (never patched by guess), and a confirmation appears.
 */
export function useDepartmentChange<V, R = unknown>(
  action: (variables: V) => Promise<R>,
  done: string | ((result: R) => string),
  onDone?: (result: R) => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: async (result) => {
      onDone?.(result);
      notifyDone(typeof done === 'function' ? done(result) : done);
      await Promise.all(
        [['departments'], ['department'], ['costs'], ['users'], ['user'], ['audit'], ['access']].map(
          (queryKey) => queryClient.invalidateQueries({ queryKey }),
        ),
      );
    },
  });
}
