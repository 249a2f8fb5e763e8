import type { Services } from '../domain/shared/context.js';
import { createDevelopmentTransport } from './development-transport.js';
import type { EmailTransport } from './email-transport.js';
import { createSmtpTransport } from './smtp-transport.js';

/** SMTP when SMTP_URL is set, the development mailbox otherwise. */
export function createEmailTransport(services: Services): EmailTransport {
  const { smtp } = services.config;
  return smtp.url
    ? createSmtpTransport({ url: smtp.url, tlsRejectUnauthorized: smtp.tlsRejectUnauthorized })
    : createDevelopmentTransport(services.db, services.logger);
}
