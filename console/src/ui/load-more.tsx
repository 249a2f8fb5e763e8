import { Button, Center, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { ErrorState } from './states';

/**
 * The foot of an infinite list: the next page loads by itself when this foot scrolls into view (an
 * IntersectionObserver on a sentinel), with a real button beside it for keyboards, screen readers and
 * browsers without the observer, and a plain statement when there is nothing more.
 *
 * After a failed page the automatic loading stops (no retry loop); the error is shown with its retry.
 */
export function LoadMore({
  hasMore,
  loading,
  error,
  onLoad,
  label,
  endLabel,
  testId,
}: {
  hasMore: boolean;
  loading: boolean;
  /** The last page's failure, if it failed. */
  error: unknown;
  onLoad: () => void;
  /** The button's text, e.g. "Load older events". */
  label: string;
  /** Shown when every page is loaded, e.g. "Beginning of the log". */
  endLabel: string;
  testId?: string;
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  const onLoadRef = useRef(onLoad);
  useEffect(() => {
    onLoadRef.current = onLoad;
  });
  const auto = hasMore && !loading && !error;

  useEffect(() => {
    const el = sentinel.current;
    if (!auto || !el || typeof IntersectionObserver === 'undefined') return;
    // A new observer after every page reports at once whether the foot is still in view, so a tall
    // window keeps loading until it is filled.
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) onLoadRef.current();
      },
      { rootMargin: '0px 0px 300px 0px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [auto]);

  return (
    <Stack gap="xs" data-testid={testId}>
      {error && hasMore ? <ErrorState error={error} title="The next page could not be loaded" /> : null}
      {hasMore ? (
        <Center>
          <div ref={sentinel} aria-hidden style={{ height: 1, width: 1 }} />
          <Button variant="default" loading={loading} onClick={onLoad}>
            {error ? 'Try again' : label}
          </Button>
        </Center>
      ) : (
        <Text c="dimmed" size="sm" ta="center" role="status">
          {endLabel}
        </Text>
      )}
    </Stack>
  );
}
