import { Button, Group, Text } from '@mantine/core';
import { IconChevronLeft, IconChevronRight, IconChevronsLeft, IconChevronsRight } from '../../ui/icons';

/** A page counted from the start (1 = first) or from the end (1 = last) of the list. */
export interface PagePosition {
  from: 'start' | 'end';
  page: number;
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
  hasPreviousPage: boolean;
  startCursor: string | null;
}

type Cursors = { after: string | null; before: string | null };

/**
 * First / previous / next / last, on keyset cursors from both ends: "last" reads the list from its end
 * (`last`), "previous" the page before this one's first row (`before`), so any page costs what the first
 * does and nobody clicks Next 800 times.
 */
export function UsersPager({
  position,
  pageInfo,
  onGo,
}: {
  position: PagePosition;
  pageInfo: PageInfo | undefined;
  onGo: (cursors: Cursors, position: PagePosition) => void;
}) {
  // A page read forwards has a previous page when it has a cursor, one read backwards when rows remain.
  const atStart = !pageInfo?.hasPreviousPage;
  const atEnd = !pageInfo?.hasNextPage;
  const label =
    position.from === 'start'
      ? `Page ${position.page}`
      : position.page === 1
        ? 'Last page'
        : `Page ${position.page} from the end`;
  const step = (delta: 1 | -1): PagePosition =>
    position.from === 'start'
      ? { from: 'start', page: Math.max(1, position.page + delta) }
      : { from: 'end', page: Math.max(1, position.page - delta) };
  return (
    <Group justify="space-between" wrap="wrap">
      <Text size="sm" c="dimmed" data-testid="users-page-label">
        {label}
      </Text>
      <Group gap="xs" role="group" aria-label="Pages">
        <Button
          variant="default"
          leftSection={<IconChevronsLeft size={16} aria-hidden />}
          disabled={atStart}
          onClick={() => onGo({ after: null, before: null }, { from: 'start', page: 1 })}
        >
          First page
        </Button>
        <Button
          variant="default"
          leftSection={<IconChevronLeft size={16} aria-hidden />}
          disabled={atStart || !pageInfo?.startCursor}
          onClick={() => onGo({ after: null, before: pageInfo?.startCursor ?? null }, step(-1))}
        >
          Previous page
        </Button>
        <Button
          variant="default"
          rightSection={<IconChevronRight size={16} aria-hidden />}
          disabled={atEnd || !pageInfo?.endCursor}
          onClick={() => onGo({ after: pageInfo?.endCursor ?? null, before: null }, step(1))}
        >
          Next page
        </Button>
        <Button
          variant="default"
          rightSection={<IconChevronsRight size={16} aria-hidden />}
          disabled={atEnd}
          onClick={() => onGo({ after: null, before: '' }, { from: 'end', page: 1 })}
        >
          Last page
        </Button>
      </Group>
    </Group>
  );
}
