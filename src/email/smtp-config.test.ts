import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

describe('SMTP configuration', () => {
  it('uses the development mailbox and safe defaults when nothing is set', () => {
    expect(loadConfig({}).smtp).toEqual({
      url: undefined,
      from: 'Roster <no-reply@localhost>',
      replyTo: undefined,
      tlsRejectUnauthorized: true,
    });
  });

  it('reads the server, sender, reply-to and TLS check', () => {
    const c = loadConfig({
      SMTP_URL: 'smtps://u:p@mail.example.test:465',
      SMTP_FROM: 'Acme <hr@acme.test>',
      SMTP_REPLY_TO: 'help@acme.test',
      SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
    });
    expect(c.smtp).toEqual({
      url: 'smtps://u:p@mail.example.test:465',
      from: 'Acme <hr@acme.test>',
      replyTo: 'help@acme.test',
      tlsRejectUnauthorized: false,
    });
  });

  it('refuses a malformed value', () => {
    expect(() => loadConfig({ SMTP_URL: 'not a url' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMTP_TLS_REJECT_UNAUTHORIZED: 'no' })).toThrow(ConfigError);
  });
});
