import { Card, Code, Grid, NavLink, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../api/client';
import { graphql } from '../graphql';
import { useDates } from '../ui/dates';
import { LinkifiedText } from '../ui/linkified-text';
import { Page } from '../ui/page';
import { EmptyState, ErrorState, LoadingState } from '../ui/states';

const MailboxQuery = graphql(`
  query DevMailbox {
    devMailbox(first: 100) {
      id
      recipient
      subject
      text
      receivedAt
    }
  }
`);

/** The development mailbox: mail kept instead of sent while no SMTP server is configured. */
export function MailboxPage() {
  const dates = useDates();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const mail = useQuery({
    queryKey: ['mailbox'],
    queryFn: async () => (await request(MailboxQuery)).devMailbox,
    refetchInterval: 10_000,
  });
  const selected = mail.data?.find((m) => m.id === selectedId) ?? mail.data?.[0];
  return (
    <Page
      title="Mailbox"
      description="Without an SMTP server, Roster keeps its emails here instead of sending them. Empty when SMTP is configured."
    >
      {mail.isPending ? (
        <LoadingState />
      ) : mail.isError ? (
        <ErrorState error={mail.error} onRetry={() => void mail.refetch()} />
      ) : mail.data.length === 0 ? (
        <EmptyState title="No mail" />
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Card withBorder padding={0}>
              <ScrollArea.Autosize mah="70vh">
                <nav aria-label="Messages">
                  {mail.data.map((m) => (
                    <NavLink
                      key={m.id}
                      active={m.id === selected?.id}
                      label={m.subject}
                      description={`${m.recipient} · ${dates.dateTime(m.receivedAt)}`}
                      onClick={() => setSelectedId(m.id)}
                    />
                  ))}
                </nav>
              </ScrollArea.Autosize>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }}>
            {selected ? (
              <Card withBorder padding="lg" component="article" aria-labelledby="mail-subject">
                <Stack gap="xs">
                  <Title order={2} size="h4" id="mail-subject">
                    {selected.subject}
                  </Title>
                  <Text size="sm" c="dimmed">
                    To {selected.recipient} · {dates.dateTime(selected.receivedAt)}
                  </Text>
                  <Code block style={{ whiteSpace: 'pre-wrap' }}>
                    <LinkifiedText text={selected.text} />
                  </Code>
                </Stack>
              </Card>
            ) : null}
          </Grid.Col>
        </Grid>
      )}
    </Page>
  );
}
