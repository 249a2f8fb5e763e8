import type { Services } from '../domain/shared/context.js';
import { createDevelopmentTransport } from './development-transport.js';
import type { EmailTransport } from './email-transport.js';
import { createSmtpTransport } from './smtp-transport.js';

/**
 * SMTP when SMTP_URL is set, the development mailbox otherwise. In production without SMTP, mail is still
 * kept (readable through the API) but links are never written to the log, and the operator is warned.
 */
export function createEmailTransport(services: Services): EmailTransport {
  const { smtp, env } = services.config;
  if (smtp.url)
    return createSmtpTransport({ url: smtp.url, tlsRejectUnauthorized: smtp.tlsRejectUnauthorized });
  if (env === 'production') {
    services.logger.warn('SMTP_URL is not set: emails are kept in the development mailbox and not delivered');
  }
  return createDevelopmentTransport(services.db, services.logger, env !== 'production');
}
