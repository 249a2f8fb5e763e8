import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { deliverDueMessages } from '../../src/domain/notifications/deliver-outbox.js';
import { completePasswordReset } from '../../src/domain/security/complete-password-reset.js';
import { resetRequestRules } from '../../src/domain/security/request-password-reset.js';
import type { EmailTransport } from '../../src/email/email-transport.js';
import { createSmtpTransport } from '../../src/email/smtp-transport.js';
import { freshIp, gql, signInAs, signInRequest } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

// Forgot password through a real SMTP server: the link in the email, used once, expiring, ending every
// session and the lockout; an unknown address indistinguishable; throttling that sends nothing.

let rt: TestRuntime;
let app: RosterServer;
let smtp: TestSmtpServer;
let transport: EmailTransport;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  smtp = await startSmtpServer();
  transport = createSmtpTransport({ url: smtp.url, tlsRejectUnauthorized: true, connectionTimeoutMs: 3000 });
});
afterAll(async () => {
  transport?.close();
  await smtp?.close();
  await app?.close();
  await rt?.close();
});

const oldPassword = 'an old passphrase of the sergeant';
const newPassword = 'violet harbour compass drizzle';

const requestDoc = `mutation($i: RequestPasswordResetInput!) {
  requestPasswordReset(input: $i) { ok userErrors { code message } } }`;
const previewDoc = `query($t: String!) { passwordResetPreview(token: $t) { email organizationName minPasswordLength expiresAt } }`;
const completeDoc = `mutation($i: CompletePasswordResetInput!) {
  completePasswordReset(input: $i) { email organization userErrors { code field message } } }`;
const refreshDoc = `mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken userErrors { code } } }`;

/** The GraphQL request from a source address of the test's choosing; the body and how long it took. */
async function fromIp(ip: string, query: string, variables: Record<string, unknown>) {
  const started = Date.now();
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: ip,
    payload: { query, variables },
  });
  return { status: r.statusCode, body: r.json(), ms: Date.now() - started };
}

async function requestReset(email: string, ip = freshIp(), organization?: string) {
  return fromIp(ip, requestDoc, { i: { email, ...(organization ? { organization } : {}) } });
}

/** Delivers what is due over SMTP and returns the messages that reached `email` since `from`. */
async function mailTo(email: string, from = 0) {
  await deliverDueMessages(rt.services, transport);
  return smtp.received.slice(from).filter((m) => m.envelopeTo.includes(email));
}

function tokenOf(text: string): string {
  const link = /https:\/\/roster\.test\/reset-password#token=([A-Za-z0-9_%-]+)/.exec(text);
  expect(link, text).not.toBeNull();
  return decodeURIComponent(link![1]!);
}

async function activeUser(orgName = 'Thames Valley Police'): Promise<{ user: UserRow; slug: string }> {
  const org = await createOrg(rt.services, orgName);
  const user = await createUser(rt.services, org.id, { role: 'investigator', password: oldPassword });
  return { user, slug: org.slug };
}

describe('forgot password', () => {
  it('emails a link that works once, ends every session and clears the lockout', async () => {
    const { user, slug } = await activeUser();
    const a = await signInAs(rt, app, user, oldPassword);
    const b = await signInAs(rt, app, user, oldPassword);
    for (const s of [a, b]) {
      const v = await gql(app, '{ sessions { id } }', undefined, s.accessToken);
      expect(v.body.errors).toBeUndefined();
    }
    // Locked out by failed sign-ins meanwhile.
    await rt.services.db
      .updateTable('users')
      .set({ failed_login_count: 9, locked_until: new Date(rt.clock.now().getTime() + 3_600_000) })
      .where('id', '=', user.id)
      .execute();

    const seen = smtp.received.length;
    const asked = await requestReset(user.email.toUpperCase());
    expect(asked.body).toEqual({ data: { requestPasswordReset: { ok: true, userErrors: [] } } });
    const [mail, ...more] = await mailTo(user.email, seen);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('Reset your password for Thames Valley Police');
    expect(mail!.text).toContain('The link works once');
    const token = tokenOf(mail!.text);

    const preview = await fromIp(freshIp(), previewDoc, { t: token });
    expect(preview.body.data.passwordResetPreview).toMatchObject({
      email: user.email,
      organizationName: 'Thames Valley Police',
      minPasswordLength: 15,
    });

    // The policy applies (the organisation's name is refused), and a refusal does not use the link up.
    const weak = await fromIp(freshIp(), completeDoc, {
      i: { token, newPassword: 'thames valley police forever' },
    });
    expect(weak.body.data.completePasswordReset.userErrors).toEqual([
      expect.objectContaining({ code: 'PASSWORD_POLICY', field: 'newPassword' }),
    ]);

    const done = await fromIp(freshIp(), completeDoc, { i: { token, newPassword } });
    expect(done.body.data.completePasswordReset).toEqual({
      email: user.email,
      organization: slug,
      userErrors: [],
    });
    const again = await fromIp(freshIp(), completeDoc, {
      i: { token, newPassword: 'another fine passphrase 99' },
    });
    expect(again.body.data.completePasswordReset.userErrors).toEqual([
      expect.objectContaining({ code: 'PASSWORD_RESET_INVALID' }),
    ]);
    const previewAgain = await fromIp(freshIp(), previewDoc, { t: token });
    expect(previewAgain.body.errors[0].extensions.code).toBe('PASSWORD_RESET_INVALID');

    // Every session ended: the old access tokens are refused on their next request, the refresh tokens too.
    for (const s of [a, b]) {
      const v = await gql(app, '{ sessions { id } }', undefined, s.accessToken);
      expect(v.body.errors?.[0]?.extensions.code, JSON.stringify(v.body)).toBe('UNAUTHENTICATED');
      const r = await gql(app, refreshDoc, { t: s.refreshToken });
      expect(r.body.data.refreshSession.userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
    }
    // The lockout is gone; the new password signs in, the old one does not.
    const row = await rt.services.db
      .selectFrom('users')
      .select(['failed_login_count', 'locked_until', 'sign_in_leases', 'status'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_login_count: 0, locked_until: null, sign_in_leases: {}, status: 'active' });
    const ip = freshIp();
    expect(
      (await signInRequest(app, { email: user.email, password: oldPassword }, ip)).payload.userErrors,
    ).toEqual([expect.objectContaining({ code: 'SIGN_IN_FAILED' })]);
    expect(
      (await signInRequest(app, { email: user.email, password: newPassword }, ip)).payload.accessToken,
    ).toBeTruthy();

    // The person is told, over SMTP, that the password changed.
    const notices = await mailTo(user.email, seen + 1);
    expect(notices.map((m) => m.subject)).toEqual(['Your password for Thames Valley Police was changed']);
    expect(notices[0]!.text).toContain('Every session of the account was signed out.');

    const audit = await rt.services.db
      .selectFrom('audit_events')
      .select(['action', 'target_id', 'changes'])
      .where('org_id', '=', user.org_id)
      .where('action', 'in', ['user.password_reset_requested', 'user.password_reset'])
      .orderBy('seq')
      .execute();
    expect(audit.map((e) => [e.action, e.target_id])).toEqual([
      ['user.password_reset_requested', user.id],
      ['user.password_reset', user.id],
    ]);
    expect(audit[1]!.changes).toMatchObject({ sessionsEnded: 2, failedLoginCount: { from: 9, to: 0 } });
  });

  it('expires after 30 minutes: the page says so and the link sets nothing', async () => {
    const { user } = await activeUser('Oxford City');
    const seen = smtp.received.length;
    await requestReset(user.email);
    const token = tokenOf((await mailTo(user.email, seen))[0]!.text);
    rt.clock.advance(30 * 60_000 + 1000);
    const preview = await fromIp(freshIp(), previewDoc, { t: token });
    expect(preview.body.errors[0].extensions.code).toBe('PASSWORD_RESET_EXPIRED');
    const r = await fromIp(freshIp(), completeDoc, { i: { token, newPassword } });
    expect(r.body.data.completePasswordReset.userErrors).toEqual([
      expect.objectContaining({ code: 'PASSWORD_RESET_EXPIRED' }),
    ]);
    const row = await rt.services.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toBe(user.password_hash);
  });

  it('a newer link replaces the older one', async () => {
    const { user } = await activeUser();
    const seen = smtp.received.length;
    await requestReset(user.email);
    await requestReset(user.email);
    const [first, second] = await mailTo(user.email, seen);
    const r1 = await fromIp(freshIp(), completeDoc, { i: { token: tokenOf(first!.text), newPassword } });
    expect(r1.body.data.completePasswordReset.userErrors[0].code).toBe('PASSWORD_RESET_INVALID');
    const r2 = await fromIp(freshIp(), completeDoc, { i: { token: tokenOf(second!.text), newPassword } });
    expect(r2.body.data.completePasswordReset.userErrors).toEqual([]);
  });

  it('answers an unknown address, and accounts that may not sign in, exactly alike and sends them nothing', async () => {
    const { user } = await activeUser();
    const org = await createOrg(rt.services);
    const suspended = await createUser(rt.services, org.id, { status: 'suspended', password: oldPassword });
    const invited = await createUser(rt.services, org.id, { status: 'invited' });
    const deactivated = await createUser(rt.services, org.id, {
      status: 'deactivated',
      password: oldPassword,
    });
    const outbox = async () =>
      (await rt.services.db.selectFrom('outbox_messages').select('id').execute()).length;
    await deliverDueMessages(rt.services, transport);
    const seen = smtp.received.length;

    const known = await requestReset(user.email);
    const before = await outbox();
    const answers = [];
    for (const email of ['nobody@nowhere.example', suspended.email, invited.email, deactivated.email]) {
      answers.push(await requestReset(email));
    }
    expect(await outbox()).toBe(before);
    for (const a of answers) {
      expect({ status: a.status, body: a.body }).toEqual({ status: known.status, body: known.body });
      // never sooner than the floor, whether or not a link was issued
      expect(a.ms).toBeGreaterThanOrEqual(resetRequestRules.minAnswerMs - 5);
    }
    expect(known.ms).toBeGreaterThanOrEqual(resetRequestRules.minAnswerMs - 5);
    await deliverDueMessages(rt.services, transport);
    const to = smtp.received.slice(seen).flatMap((m) => m.envelopeTo);
    expect(to).toEqual([user.email]);
  });

  it('throttles per address and per source: past the limit the answer is the same and nothing is sent', async () => {
    // Per address: the 4th request within the hour, from anywhere, sends nothing.
    const { user } = await activeUser();
    const seen = smtp.received.length;
    const answers = [];
    for (let i = 0; i < resetRequestRules.perAddress + 2; i += 1)
      answers.push(await requestReset(user.email));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await mailTo(user.email, seen)).toHaveLength(resetRequestRules.perAddress);
    // The window passes: the next request sends again.
    rt.clock.advance(resetRequestRules.windowMs + 1000);
    await requestReset(user.email);
    expect(await mailTo(user.email, seen)).toHaveLength(resetRequestRules.perAddress + 1);

    // Per source: one address asking for many accounts.
    const org = await createOrg(rt.services);
    const people = [];
    for (let i = 0; i < resetRequestRules.perSource + 2; i += 1) {
      people.push(await createUser(rt.services, org.id, { password: oldPassword }));
    }
    const ip = freshIp();
    const from = smtp.received.length;
    for (const p of people) {
      const r = await requestReset(p.email, ip);
      expect(r.body.data.requestPasswordReset).toEqual({ ok: true, userErrors: [] });
    }
    await deliverDueMessages(rt.services, transport);
    const reached = new Set(smtp.received.slice(from).flatMap((m) => m.envelopeTo));
    expect(reached.size).toBe(resetRequestRules.perSource);
    expect(reached.has(people.at(-1)!.email)).toBe(false);
  });

  it('50 parallel uses of one link: exactly one succeeds', async () => {
    const { user } = await activeUser();
    const seen = smtp.received.length;
    await requestReset(user.email);
    const token = tokenOf((await mailTo(user.email, seen))[0]!.text);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        completePasswordReset(
          rt.services,
          { ip: '192.0.2.50' },
          { token, newPassword: `${newPassword} ${i}` },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'PASSWORD_RESET_INVALID' });
    }
    const events = await rt.services.db
      .selectFrom('audit_events')
      .select('action')
      .where('org_id', '=', user.org_id)
      .where('action', '=', 'user.password_reset')
      .execute();
    expect(events).toHaveLength(1);
  });
});
