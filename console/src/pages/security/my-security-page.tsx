import { Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../../api/client';
import { MyFactorsQuery } from '../../api/mfa';
import { Page } from '../../ui/page';
import { AuthenticatorSection, myFactorsKey } from './authenticator-section';
import { PasskeysSection } from './passkeys-section';
import { PersonalTokensSection } from './personal-tokens-section';
import { usePermissions } from '../../auth/viewer';
import { PasswordSection } from './password-section';
import { RecoveryCodesSection } from './recovery-codes-section';

/**
 * "My security" (/me/security): how the signed-in person proves who they are. One section per
 * capability, each in its own file: the password, the authenticator app and the recovery codes; passkeys
 * join as a section of their own.
 */
export function MySecurityPage() {
  const factors = useQuery({ queryKey: myFactorsKey, queryFn: () => request(MyFactorsQuery) });
  const viewer = factors.data?.viewer;
  const totp = viewer?.mfaFactors?.find((f) => f.kind === 'TOTP') ?? null;
  // Recovery codes just made, shown once: kept only in this page's state.
  const [shownCodes, setShownCodes] = useState<readonly string[] | null>(null);
  const { can } = usePermissions();
  return (
    <Page title="My security" description="Your password and the other ways you sign in.">
      <Stack gap="lg">
        <PasswordSection />
        {viewer ? <AuthenticatorSection factor={totp} onRecoveryCodes={setShownCodes} /> : null}
        <PasskeysSection />
        {viewer && totp ? (
          <RecoveryCodesSection
            remaining={viewer.recoveryCodesRemaining ?? 0}
            shown={shownCodes}
            onShown={setShownCodes}
          />
        ) : null}
        {can('api:access') ? <PersonalTokensSection /> : null}
      </Stack>
    </Page>
  );
}
