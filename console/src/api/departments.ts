import { useQuery } from '@tanstack/react-query';
import { graphql } from '../graphql';
import { request } from './client';
import { isForbidden } from './errors';

const DepartmentsQuery = graphql(`
  query DepartmentOptions {
    departments {
      id
      name
      depth
      parentId
    }
  }
`);

export interface DepartmentOption {
  value: string;
  label: string;
}

/** Departments as options, indented by depth; null when the viewer may not read departments. */
export function useDepartmentOptions() {
  return useQuery({
    queryKey: ['departments', 'options'],
    queryFn: async (): Promise<DepartmentOption[] | null> => {
      try {
        const r = await request(DepartmentsQuery);
        return r.departments.map((d) => ({ value: d.id, label: `${'\u2003'.repeat(d.depth)}${d.name}` }));
      } catch (e) {
        if (isForbidden(e)) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}
