import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrg } from '../../test/support/factories.js';
import { openTestRuntime, testConfig, type TestRuntime } from '../../test/support/test-runtime.js';
import { createEmailTransport } from './create-transport.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const message = (orgId: string, n: number) => ({
  messageId: `<t${n}-${Date.now()}@roster.test>`,
  orgId,
  from: 'Roster <no-reply@roster.test>',
  to: 'invitee@example.test',
  subject: 'You are invited',
  text: 'Accept: https://roster.test/accept-invitation#token=secret-token-value\n',
  html: '<p>Accept</p>',
});

it('logs the acceptance link without SMTP in development, but never in production (and warns there)', async () => {
  const org = await createOrg(rt.services);
  for (const env of ['development', 'production'] as const) {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
    const config = { ...testConfig(), env };
    const transport = createEmailTransport({ ...rt.services, config, logger });
    await transport.send(message(org.id, env === 'production' ? 2 : 1));
    const text = JSON.stringify(lines);
    if (env === 'production') {
      expect(text).not.toContain('secret-token-value');
      expect(lines.some((l) => l.level === 40 && String(l.msg).includes('SMTP_URL is not set'))).toBe(true);
    } else {
      expect(text).toContain('secret-token-value');
    }
    expect(lines.some((l) => l.msg === 'development mailbox: message kept')).toBe(true);
  }
});
