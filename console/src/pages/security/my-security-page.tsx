import { Stack } from '@mantine/core';
import { Page } from '../../ui/page';
import { PasskeysSection } from './passkeys-section';
import { PasswordSection } from './password-section';

/**
 * "My security" (/me/security): how the signed-in person proves who they are. One section per
 * capability, each in its own file: the password here; the authenticator app, passkeys and recovery
 * codes join as sections of their own.
 */
export function MySecurityPage() {
  return (
    <Page title="My security" description="Your password and the other ways you sign in.">
      <Stack gap="lg">
        <PasswordSection />
        <PasskeysSection />
      </Stack>
    </Page>
  );
}
