import {
  Alert,
  Button,
  Checkbox,
  CopyButton,
  Group,
  NumberInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useState } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { RevokeUserSessions } from '../../api/sessions';
import {
  DeactivateUser,
  ReactivateUser,
  ResendInvitation,
  RevokeInvitation,
  SuspendUser,
  type UserDetail,
} from '../../api/users';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { zonedToInstant } from '../../ui/time-zone';
import { ChangeRoleModal } from './change-role';
import { EditProfileModal } from './edit-profile';
import { SendPasswordResetModal } from './send-password-reset';
import { useUserAction } from './use-user-action';

type Dialog =
  | 'profile'
  | 'suspend'
  | 'reactivate'
  | 'deactivate'
  | 'role'
  | 'sessions'
  | 'passwordReset'
  | 'resend'
  | 'revokeInvitation';

/** The actions the API says the viewer may take on this user (`viewerCan`), and nothing else. */
export function UserActions({ user }: { user: UserDetail }) {
  const [open, setOpen] = useState<Dialog | null>(null);
  const close = () => setOpen(null);
  const can = user.viewerCan;
  const buttons: { key: Dialog; label: string; allowed: boolean; color?: string }[] = [
    { key: 'profile', label: 'Edit profile', allowed: can.updateProfile },
    { key: 'role', label: 'Change role', allowed: can.changeRole },
    { key: 'suspend', label: 'Suspend', allowed: can.suspend, color: 'orange' },
    { key: 'reactivate', label: 'Reactivate', allowed: can.reactivate, color: 'teal' },
    { key: 'sessions', label: 'Sign out everywhere', allowed: can.revokeSessions },
    { key: 'passwordReset', label: 'Send password reset', allowed: can.sendPasswordReset },
    { key: 'resend', label: 'Resend invitation', allowed: can.resendInvitation },
    { key: 'revokeInvitation', label: 'Revoke invitation', allowed: can.revokeInvitation },
    { key: 'deactivate', label: 'Deactivate', allowed: can.deactivate, color: 'red' },
  ];
  const allowed = buttons.filter((b) => b.allowed);
  if (allowed.length === 0) return null;
  return (
    <>
      <Group gap="xs" wrap="wrap" role="group" aria-label="Actions">
        {allowed.map((b) => (
          <Button key={b.key} variant="light" color={b.color} onClick={() => setOpen(b.key)}>
            {b.label}
          </Button>
        ))}
      </Group>
      {can.changeRole ? <ChangeRoleModal user={user} opened={open === 'role'} onClose={close} /> : null}
      {open === 'profile' ? <EditProfileModal user={user} onClose={close} /> : null}
      {open === 'suspend' ? <SuspendModal user={user} onClose={close} /> : null}
      {open === 'reactivate' ? <ReactivateModal user={user} onClose={close} /> : null}
      {open === 'deactivate' ? <DeactivateModal user={user} onClose={close} /> : null}
      {open === 'sessions' ? <RevokeSessionsModal user={user} onClose={close} /> : null}
      {open === 'passwordReset' ? <SendPasswordResetModal user={user} onClose={close} /> : null}
      {open === 'resend' ? <ResendInvitationModal user={user} onClose={close} /> : null}
      {open === 'revokeInvitation' ? <RevokeInvitationModal user={user} onClose={close} /> : null}
    </>
  );
}

const nameOf = (u: { displayName?: string | null; email: string }) => u.displayName || u.email;

/** Whose invitation to resend or revoke: all the two dialogs need, from the user page or a list row. */
export interface InvitationTarget {
  id: string;
  email: string;
  displayName?: string | null;
  /** The current invitation's note, offered again when resending. */
  invitation?: { message?: string | null } | null;
}

function SuspendModal({ user, onClose }: { user: UserDetail; onClose: () => void }) {
  const dates = useDates();
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [openedAt] = useState(() => Date.now());
  const untilInstant = until ? zonedToInstant(until, dates.timeZone) : null;
  const untilInPast = untilInstant !== null && untilInstant.getTime() <= openedAt;
  const suspend = useUserAction(
    async () =>
      unwrapPayload(
        (
          await request(SuspendUser, {
            input: {
              userId: user.id,
              reason: reason.trim(),
              until: untilInstant?.toISOString() ?? null,
              expectedVersion: user.version,
            },
          })
        ).suspendUser,
      ),
    `${nameOf(user)} is suspended.`,
    onClose,
  );
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Suspend ${nameOf(user)}`}
      confirmLabel="Suspend"
      danger
      onConfirm={() => suspend.mutate(undefined)}
      pending={suspend.isPending}
      error={suspend.error}
      confirmDisabled={!reason.trim() || untilInPast}
    >
      <Text size="sm">
        Their sessions end at once; they cannot sign in until the suspension ends. They are told the reason.
      </Text>
      <Textarea
        label="Reason"
        description="Shown to the person and kept in the audit trail."
        required
        autosize
        minRows={2}
        maxLength={1000}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        data-autofocus
      />
      <TextInput
        label="Suspended until"
        description={`Optional: reinstated automatically at this time (${dates.timeZone}). Leave empty for no end.`}
        type="datetime-local"
        value={until}
        onChange={(e) => setUntil(e.currentTarget.value)}
        error={untilInPast ? 'Choose a time in the future.' : null}
      />
    </ConfirmModal>
  );
}

function ReactivateModal({ user, onClose }: { user: UserDetail; onClose: () => void }) {
  const reactivate = useUserAction(
    async () =>
      unwrapPayload(
        (await request(ReactivateUser, { input: { userId: user.id, expectedVersion: user.version } }))
          .reactivateUser,
      ),
    `${nameOf(user)} is active again.`,
    onClose,
  );
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Reactivate ${nameOf(user)}`}
      confirmLabel="Reactivate"
      onConfirm={() => reactivate.mutate(undefined)}
      pending={reactivate.isPending}
      error={reactivate.error}
    >
      <Text size="sm">The suspension ends now and they can sign in again.</Text>
    </ConfirmModal>
  );
}

function DeactivateModal({ user, onClose }: { user: UserDetail; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [understood, setUnderstood] = useState(false);
  const deactivate = useUserAction(
    async () =>
      unwrapPayload(
        (
          await request(DeactivateUser, {
            input: { userId: user.id, reason: reason.trim(), expectedVersion: user.version },
          })
        ).deactivateUser,
      ),
    `${nameOf(user)} is deactivated.`,
    onClose,
  );
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Deactivate ${nameOf(user)}`}
      confirmLabel="Deactivate permanently"
      danger
      onConfirm={() => deactivate.mutate(undefined)}
      pending={deactivate.isPending}
      error={deactivate.error}
      confirmDisabled={!reason.trim() || !understood}
    >
      <Alert color="red" variant="light">
        Deactivation is permanent: {nameOf(user)} can never sign in again. Their records are kept.
      </Alert>
      <Textarea
        label="Reason"
        description="Kept in the audit trail."
        required
        autosize
        minRows={2}
        maxLength={1000}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        data-autofocus
      />
      <Checkbox
        label={`I understand that ${nameOf(user)} cannot be reactivated`}
        checked={understood}
        onChange={(e) => setUnderstood(e.currentTarget.checked)}
      />
    </ConfirmModal>
  );
}

function RevokeSessionsModal({ user, onClose }: { user: UserDetail; onClose: () => void }) {
  const revoke = useUserAction(
    async () =>
      unwrapPayload((await request(RevokeUserSessions, { input: { userId: user.id } })).revokeUserSessions),
    `${nameOf(user)} is signed out everywhere.`,
    onClose,
  );
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Sign ${nameOf(user)} out everywhere`}
      confirmLabel="Sign out everywhere"
      danger
      onConfirm={() => revoke.mutate(undefined)}
      pending={revoke.isPending}
      error={revoke.error}
    >
      <Text size="sm">Every session ends on its next request. They can sign in again.</Text>
    </ConfirmModal>
  );
}

export function ResendInvitationModal({ user, onClose }: { user: InvitationTarget; onClose: () => void }) {
  const [days, setDays] = useState<number | string>(7);
  const [message, setMessage] = useState(user.invitation?.message ?? '');
  const [link, setLink] = useState<string | null>(null);
  const resend = useUserAction(async () => {
    const p = unwrapPayload(
      (
        await request(ResendInvitation, {
          input: { userId: user.id, expiresInDays: Number(days), message: message.trim() || null },
        })
      ).resendInvitation,
    );
    setLink(p.invitation?.acceptLink ?? null);
  }, `A new invitation is on its way to ${user.email}.`);
  if (link) {
    return (
      <ConfirmModal opened onClose={onClose} title="Invitation sent" confirmLabel="Done" onConfirm={onClose}>
        <Text size="sm">
          {user.email} gets an email with a new link; the previous link no longer works. You can also pass
          this link on yourself — it is shown only now:
        </Text>
        <TextInput label="Acceptance link" value={link} readOnly />
        <CopyButton value={link}>
          {({ copied, copy }) => (
            <Button variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy link'}
            </Button>
          )}
        </CopyButton>
      </ConfirmModal>
    );
  }
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Resend the invitation to ${user.email}`}
      confirmLabel="Send a new link"
      onConfirm={() => resend.mutate(undefined)}
      pending={resend.isPending}
      error={resend.error}
      confirmDisabled={!(Number(days) >= 1 && Number(days) <= 90)}
    >
      <Text size="sm">A new link is emailed; the previous one stops working.</Text>
      <NumberInput label="Valid for (days)" min={1} max={90} value={days} onChange={setDays} />
      <Textarea
        label="Message"
        description="Optional note included in the email."
        autosize
        minRows={2}
        maxLength={2000}
        value={message}
        onChange={(e) => setMessage(e.currentTarget.value)}
      />
    </ConfirmModal>
  );
}

export function RevokeInvitationModal({ user, onClose }: { user: InvitationTarget; onClose: () => void }) {
  const revoke = useUserAction(
    async () =>
      unwrapPayload((await request(RevokeInvitation, { input: { userId: user.id } })).revokeInvitation),
    'The invitation link no longer works.',
    onClose,
  );
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Revoke the invitation of ${user.email}`}
      confirmLabel="Revoke invitation"
      danger
      onConfirm={() => revoke.mutate(undefined)}
      pending={revoke.isPending}
      error={revoke.error}
    >
      <Text size="sm">
        The link stops working. {nameOf(user)} stays invited and can be sent a new link later.
      </Text>
    </ConfirmModal>
  );
}
