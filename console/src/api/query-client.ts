import { QueryClient } from '@tanstack/react-query';
import { NetworkError } from './errors';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Only a network failure is worth repeating; the API's answers (forbidden, not found) are final.
      retry: (count, error) => error instanceof NetworkError && count < 2,
      staleTime: 15_000,
    },
    mutations: { retry: false },
  },
});
