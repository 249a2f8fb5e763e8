import { describe, expect, it } from 'vitest';
import { describeSmtpError } from './smtp-transport.js';

describe('describeSmtpError', () => {
  it('treats 5xx as permanent and 4xx as temporary, quoting the reply', () => {
    expect(describeSmtpError({ responseCode: 550, response: '550 5.1.1 no such user' })).toEqual({
      text: 'SMTP 550 5.1.1 no such user',
      permanent: true,
      responseCode: 550,
    });
    expect(describeSmtpError({ responseCode: 451, response: '451 try later' }).permanent).toBe(false);
  });

  it('retries an authentication failure: it is our configuration, not the message', () => {
    expect(
      describeSmtpError({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }).permanent,
    ).toBe(false);
  });

  it('describes connection problems by code only, without the address or credentials', () => {
    const d = describeSmtpError({
      code: 'ECONNECTION',
      message: 'connect ECONNREFUSED smtp://u:secret@h:25',
    });
    expect(d).toEqual({ text: 'could not reach the mail server (ECONNECTION)', permanent: false });
    expect(
      describeSmtpError({ responseCode: 421, response: '421 smtp://u:secret@h closing' }).text,
    ).not.toContain('secret');
    expect(describeSmtpError(new Error('boom')).text).toBe('could not reach the mail server (ERROR)');
  });
});
