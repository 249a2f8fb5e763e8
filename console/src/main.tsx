import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './ui/skip-link.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { restoreSession } from './api/client';
import { StepUpDialog } from './auth/step-up-dialog';
import { queryClient } from './api/query-client';
import { router } from './routes';
import { cssVariablesResolver, theme } from './ui/theme';

// Before the first render: a refresh token kept by this tab restores the session (once, whatever
// React does with effects in development).
void restoreSession();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto">
      <Notifications position="top-right" />
      <StepUpDialog />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
