import { Alert, Button, Card, CopyButton, Group, List, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { RegenerateRecoveryCodes } from '../../api/mfa';
import { ConfirmModal } from '../../ui/confirm-modal';
import { myFactorsKey } from './authenticator-section';

/**
 * Recovery codes, shown this once: a list that can be copied or downloaded as a text file. Nothing here
 * keeps them after the page is left (the server has only their hashes).
 */
export function RecoveryCodesShown({ codes }: { codes: readonly string[] }) {
  const text = `Roster recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'roster-recovery-codes.txt';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Alert color="yellow" variant="light" title="Save your recovery codes now" role="status">
      <Stack gap="xs">
        <Text size="sm">
          If you lose your phone, each of these codes signs you in once instead of the app. They are shown
          only now: keep them somewhere safe.
        </Text>
        <List
          aria-label="Recovery codes"
          listStyleType="none"
          spacing={2}
          ff="monospace"
          data-testid="recovery-codes"
        >
          {codes.map((c) => (
            <List.Item key={c}>{c}</List.Item>
          ))}
        </List>
        <Group gap="xs">
          <CopyButton value={codes.join('\n')}>
            {({ copied, copy }) => (
              <Button variant="light" size="xs" onClick={copy}>
                {copied ? 'Copied' : 'Copy codes'}
              </Button>
            )}
          </CopyButton>
          <Button variant="light" size="xs" onClick={download}>
            Download as text
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** "My security" → Recovery codes: how many are left, and new ones (the old stop working). */
export function RecoveryCodesSection({
  remaining,
  shown,
  onShown,
}: {
  remaining: number;
  shown: readonly string[] | null;
  onShown: (codes: readonly string[]) => void;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const regenerate = useMutation({
    mutationFn: async () => unwrapPayload((await request(RegenerateRecoveryCodes)).regenerateRecoveryCodes),
    onSuccess: async (p) => {
      setConfirming(false);
      onShown(p.recoveryCodes ?? []);
      await queryClient.invalidateQueries({ queryKey: [...myFactorsKey] });
    },
  });
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="recovery-codes-title">
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={2} size="h3" id="recovery-codes-title">
            Recovery codes
          </Title>
          <Text size="sm" c="dimmed">
            {remaining === 1 ? '1 unused code left.' : `${remaining} unused codes left.`} Each signs you in
            once when you cannot use your authenticator app.
          </Text>
        </Stack>
        {shown ? <RecoveryCodesShown codes={shown} /> : null}
        <div>
          <Button variant="default" onClick={() => setConfirming(true)}>
            Make new recovery codes
          </Button>
        </div>
      </Stack>
      <ConfirmModal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title="Make new recovery codes?"
        confirmLabel="Make new codes"
        onConfirm={() => regenerate.mutate()}
        pending={regenerate.isPending}
        error={regenerate.error}
      >
        <Text size="sm">Your current recovery codes stop working at once. The new ones are shown once.</Text>
      </ConfirmModal>
    </Card>
  );
}
