import { useLayoutEffect, useRef } from 'react';

/** Where focus goes when the control that had it is gone: the page's heading (made focusable). */
export function focusPageHeading(): void {
  const heading = document.querySelector<HTMLElement>('main h1');
  if (!heading) return;
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  heading.focus();
}

/**
 * Gives focus back to the control that had it when a dialog opened, once the dialog is gone — whether it
 * closed (`opened` false) or was unmounted with it. Mantine's own return works only on `opened` turning
 * false, and most dialogs here are unmounted instead; when the control itself has gone (the "Suspend"
 * button is now "Reactivate"), focus goes to the page's heading rather than to <body>.
 */
export function useFocusReturn(opened: boolean): void {
  const trigger = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (!opened) return;
    const active = document.activeElement;
    if (active instanceof HTMLElement && active !== document.body && !active.closest('[role="dialog"]')) {
      trigger.current = active;
    }
    return () => {
      const target = trigger.current;
      trigger.current = null;
      // After the dialog's own focus handling and the page's re-render.
      window.setTimeout(() => {
        const now = document.activeElement;
        if (now && now !== document.body && now.isConnected && !now.closest('[role="dialog"]')) return;
        if (target?.isConnected && !target.closest('[inert], [aria-hidden="true"]')) target.focus();
        else focusPageHeading();
      }, 50);
    };
  }, [opened]);
}
