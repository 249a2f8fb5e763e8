import { Alert, Button, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';

/** A secret shown once (a new token): read-only, selectable, with a copy button and a plain warning. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  return (
    <Alert color="yellow" title="Copy it now: it is shown only this once" role="status">
      <Stack gap="xs">
        <Text size="sm">Roster keeps only a hash of it. If it is lost, rotate or make a new one.</Text>
        <TextInput
          label={label}
          value={secret}
          readOnly
          onFocus={(e) => e.currentTarget.select()}
          styles={{ input: { fontFamily: 'monospace' } }}
          data-testid="new-secret"
        />
        <Group gap="xs">
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
