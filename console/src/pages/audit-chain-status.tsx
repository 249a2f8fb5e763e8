import { Alert, Button, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { graphql } from '../graphql';
import { useDates } from '../ui/dates';
import { ErrorState } from '../ui/states';

const ChainStatusQuery = graphql(`
  query AuditChainStatus {
    auditChainStatus {
      ok
      checked
      problem
      firstBrokenSeq
      verifiedAt
    }
  }
`);

const problems: Record<string, string> = {
  HASH_MISMATCH: 'an event no longer matches its hash: it was changed',
  LINK_BROKEN: 'an event does not link to the one before it',
  HEAD_MISMATCH: 'the chain head does not name the last event',
};

/** Whether the organisation's hash-chained trail is intact, verified by the server on demand. */
export function AuditChainStatusLine() {
  const dates = useDates();
  const status = useQuery({
    queryKey: ['audit', 'chain-status'],
    queryFn: async () => (await request(ChainStatusQuery)).auditChainStatus,
    staleTime: 60_000,
  });
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;
  const verify = (
    <Button size="xs" variant="default" loading={status.isFetching} onClick={() => void status.refetch()}>
      Verify again
    </Button>
  );
  if (!s) return <Text c="dimmed">Verifying the audit chain…</Text>;
  return s.ok ? (
    <Alert color="green" title="Audit chain intact" data-testid="audit-chain-status">
      <Group justify="space-between">
        <Text size="sm">
          {s.checked.toLocaleString()} events verified, {dates.dateTime(s.verifiedAt)}.
        </Text>
        {verify}
      </Group>
    </Alert>
  ) : (
    <Alert color="red" title="Audit chain broken" data-testid="audit-chain-status">
      <Group justify="space-between">
        <Text size="sm">
          At event {s.firstBrokenSeq ?? '?'}: {problems[s.problem ?? ''] ?? 'the chain does not verify'}.{' '}
          {s.checked.toLocaleString()} events before it are intact. Verified {dates.dateTime(s.verifiedAt)}.
        </Text>
        {verify}
      </Group>
    </Alert>
  );
}
