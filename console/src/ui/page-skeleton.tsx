import { Skeleton, Stack, VisuallyHidden } from '@mantine/core';

/**
 * A page still loading, drawn inside the shell's content area: the heading's and a table's shapes where
 * they will be, so a navigation keeps the shell and nothing jumps when the page arrives.
 */
export function PageSkeleton({ label = 'Loading…' }: { label?: string }) {
  return (
    <Stack gap="lg" role="status" aria-live="polite" data-testid="page-skeleton">
      <VisuallyHidden>{label}</VisuallyHidden>
      <Stack gap={8} aria-hidden>
        <Skeleton h={30} w="40%" radius="sm" />
        <Skeleton h={16} w="60%" radius="sm" />
      </Stack>
      <Stack gap={10} aria-hidden>
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} h={34} radius="sm" />
        ))}
      </Stack>
    </Stack>
  );
}
