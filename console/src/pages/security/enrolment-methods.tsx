import { Alert, Code, SimpleGrid, Stack, Text } from '@mantine/core';
import { AuthenticatorSection } from './authenticator-section';
import { PasskeysSection } from './passkeys-section';

/**
 * The ways to set up a second factor on the enrolment page: the authenticator app (unless only a passkey
 * will do) and passkeys — the same sections as on "My security".
 */
export function EnrolmentMethods({
  passkeyOnly,
  onRecoveryCodes,
}: {
  passkeyOnly: boolean;
  onRecoveryCodes: (codes: readonly string[]) => void;
}) {
  return (
    <Stack gap="lg">
      <PasskeysSection />
      {passkeyOnly ? null : <AuthenticatorSection factor={null} onRecoveryCodes={onRecoveryCodes} />}
    </Stack>
  );
}

/** The recovery codes an enrolment just made: shown once, here, before the console opens. */
export function NewRecoveryCodes({ codes }: { codes: readonly string[] }) {
  return (
    <Alert
      color="blue"
      variant="light"
      title="Save your recovery codes now"
      data-testid="enrolment-recovery-codes"
    >
      <Stack gap="xs">
        <Text size="sm">
          Each works once, instead of a code from the app, if you lose your phone. They are not shown again;
          you can make new ones on My security.
        </Text>
        <SimpleGrid cols={{ base: 2, xs: 5 }} spacing="xs">
          {codes.map((c) => (
            <Code key={c}>{c}</Code>
          ))}
        </SimpleGrid>
      </Stack>
    </Alert>
  );
}
