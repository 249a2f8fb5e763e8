/** 'user.role_changed' → 'User role changed': audit actions as short sentences. */
const known: Record<string, string> = {
  'user.invited': 'Invited',
  'user.suspended': 'Suspended',
  'user.reactivated': 'Reactivated',
  'user.deactivated': 'Deactivated',
  'user.role_changed': 'Role changed',
  'user.profile_updated': 'Profile updated',
  'invitation.accepted': 'Invitation accepted',
  'invitation.resent': 'Invitation resent',
  'invitation.revoked': 'Invitation revoked',
  'session.revoked': 'Sessions ended',
};

export function describeAction(action: string): string {
  const k = known[action];
  if (k) return k;
  const text = action.replace(/[._]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
