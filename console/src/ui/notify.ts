import { notifications } from '@mantine/notifications';

/** A short confirmation in the corner (announced to screen readers; its close button is named). */
export function notifyDone(message: string): void {
  notifications.show({ color: 'teal', message, closeButtonProps: { 'aria-label': 'Dismiss' } });
}
