import { graphql, type ResultOf } from '../../graphql';
import { UserErrorFields } from '../../api/user-errors';

export const OrganizationSettingsQuery = graphql(`
  query OrganizationSettings {
    organization {
      id
      invitationTtlDays
      sessionIdleMinutes
      sessionAbsoluteHours
      minPasswordLength
      endSessionsOnPasswordChange
      mfaRequiredRoles
      mfaPhishingResistantRoles
      mfaGracePeriodDays
      reauthenticationWindowMinutes
      sessionPrivilegedIdleMinutes
      sessionPrivilegedAbsoluteHours
      maxSessionsPerUser
      scimCreatesInvitations
      scimDeactivation
    }
    notificationSettings {
      responsibleRecipients
      adminRecipients
      adminRecipientUserIds
      invitationReminderHours
      brandColor
      byKind {
        kind
        responsible
        roles
        userIds
      }
    }
  }
`);

export type OrganizationSettings = ResultOf<typeof OrganizationSettingsQuery>;
export type NotificationSettings = OrganizationSettings['notificationSettings'];
export type NoticeKind = NotificationSettings['byKind'][number]['kind'];
export type RoleKey = NotificationSettings['adminRecipients'][number];

export const UpdateOrganizationSettings = graphql(
  `
    mutation UpdateOrganizationSettings($input: UpdateOrganizationSettingsInput!) {
      updateOrganizationSettings(input: $input) {
        organization {
          id
          invitationTtlDays
          sessionIdleMinutes
          sessionAbsoluteHours
          minPasswordLength
          endSessionsOnPasswordChange
          mfaRequiredRoles
          mfaPhishingResistantRoles
          mfaGracePeriodDays
          reauthenticationWindowMinutes
          sessionPrivilegedIdleMinutes
          sessionPrivilegedAbsoluteHours
          maxSessionsPerUser
          scimCreatesInvitations
          scimDeactivation
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const UpdateNotificationSettings = graphql(
  `
    mutation UpdateNotificationSettings($input: UpdateNotificationSettingsInput!) {
      updateNotificationSettings(input: $input) {
        settings {
          brandColor
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export const settingsKey = ['organization', 'settings'] as const;
