import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { ResetUserFactor, ResetUserFactors, UserFactorsQuery } from '../../api/user-factors';
import type { ResultOf } from '../../graphql';
import { useMe, usePermissions } from '../../auth/viewer';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { useUserAction } from './use-user-action';

type Factor = ResultOf<typeof UserFactorsQuery>['userFactors'][number];

/** What the card and its dialogs call a factor: `Passkey “Laptop”`, `Recovery codes`. */
function labelOf(f: Factor): string {
  if (f.kind === 'RECOVERY_CODES') return 'Recovery codes';
  return `${f.kind === 'PASSKEY' ? 'Passkey' : 'Authenticator app'} “${f.name ?? ''}”`;
}

/** What resetting it takes away, for the dialog. */
function consequenceOf(f: Factor): string {
  if (f.kind === 'PASSKEY') return 'This passkey stops working; their other factors stay.';
  if (f.kind === 'AUTHENTICATOR_APP')
    return 'The authenticator app stops working, and with it their recovery codes (they back the app up); their passkeys stay.';
  return 'Their recovery codes stop working (they can make new ones on their security page); the app and passkeys stay.';
}

/**
 * The user page's Security card (issue 12, "Administration"): the person's second factors — authenticator
 * app, each passkey, the recovery codes as "n of 10 left" — with when each was added and last used, for
 * holders of `security:manage` over them (the query is FORBIDDEN otherwise, and the card then shows
 * nothing). "Reset" per factor and "Reset all" confirm in a dialog; the server applies the target-role
 * rule (a refusal shows in the dialog) and asks for a recent authentication, which `request` turns into
 * the console's step-up dialog before retrying.
 */
export function UserSecurityCard({ userId, name }: { userId: string; name: string }) {
  const dates = useDates();
  const { can } = usePermissions();
  const self = useMe().data?.viewer?.id === userId;
  const mayManage = can('security:manage');
  const [confirming, setConfirming] = useState<Factor | 'all' | null>(null);
  const factors = useQuery({
    queryKey: ['user', userId, 'factors'],
    queryFn: () => request(UserFactorsQuery, { id: userId }),
    enabled: mayManage || self,
    retry: false,
  });
  const close = () => setConfirming(null);
  // A reset factor's "Reset" button goes with it once the list is read again: focus then moves to the
  // card's heading rather than being lost to the page.
  const heading = useRef<HTMLHeadingElement>(null);
  const refocus = useRef(false);
  const list = factors.data?.userFactors;
  useEffect(() => {
    if (!refocus.current) return;
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
      heading.current?.focus();
      refocus.current = false;
    }
  }, [list]);
  const resetOne = useUserAction(
    async (f: Factor) =>
      unwrapPayload(
        (
          await request(ResetUserFactor, {
            input: { userId, kind: f.kind, factorId: f.kind === 'RECOVERY_CODES' ? null : f.id },
          })
        ).resetUserFactor,
      ),
    `${name}'s factor is reset and their sessions ended.`,
    () => {
      close();
      refocus.current = true;
    },
  );
  const resetAll = useUserAction(
    async () => unwrapPayload((await request(ResetUserFactors, { input: { userId } })).resetUserFactors),
    `${name}'s second factors are reset and their sessions ended.`,
    close,
  );
  if (!list) return null;
  const mayReset = mayManage && !self;
  const pending = confirming === 'all' ? resetAll : resetOne;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="user-security-title">
      <Title order={2} size="h4" id="user-security-title" mb="sm" ref={heading} tabIndex={-1}>
        Security
      </Title>
      <Stack gap="xs" align="stretch">
        {list.length === 0 ? (
          <Text size="sm">No second factor: signs in with the password alone.</Text>
        ) : (
          <Stack component="ul" gap={6} aria-label="Second factors" m={0} p={0} style={{ listStyle: 'none' }}>
            {list.map((f) => (
              <Group component="li" key={`${f.kind}:${f.id ?? ''}`} justify="space-between" wrap="nowrap">
                <Text size="sm">
                  <Text span fw={500} size="sm">
                    {labelOf(f)}
                  </Text>
                  {f.recoveryCodes ? ` — ${f.recoveryCodes.left} of ${f.recoveryCodes.total} left` : ''} —
                  added {dates.dateTime(f.createdAt)}, last used{' '}
                  {f.lastUsedAt ? dates.dateTime(f.lastUsedAt) : 'never'}
                </Text>
                {mayReset ? (
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Reset ${labelOf(f)}`}
                    onClick={() => setConfirming(f)}
                  >
                    Reset
                  </Button>
                ) : null}
              </Group>
            ))}
          </Stack>
        )}
        {mayReset ? (
          <Group>
            <Button size="xs" variant="default" color="red" onClick={() => setConfirming('all')}>
              Reset all second factors
            </Button>
          </Group>
        ) : null}
      </Stack>
      {confirming ? (
        <ConfirmModal
          opened
          onClose={close}
          title={
            confirming === 'all'
              ? `Reset ${name}'s second factors`
              : `Reset ${name}'s ${labelOf(confirming).replace(/^./, (c) => c.toLowerCase())}`
          }
          confirmLabel="Reset"
          danger
          onConfirm={() => (confirming === 'all' ? resetAll.mutate(undefined) : resetOne.mutate(confirming))}
          pending={pending.isPending}
          error={pending.error}
        >
          <Text size="sm">
            {confirming === 'all'
              ? 'Their authenticator app, passkeys and recovery codes stop working.'
              : consequenceOf(confirming)}{' '}
            Every session of theirs ends and they are emailed. Do this once you know it is them (a lost phone
            or security key).
          </Text>
        </ConfirmModal>
      ) : null}
    </Card>
  );
}
