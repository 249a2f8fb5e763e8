import { afterAll, beforeAll, expect, it } from 'vitest';
import { acceptInvitation } from '../../src/domain/invitations/accept-invitation.js';
import { deliverDueMessages } from '../../src/domain/notifications/deliver-outbox.js';
import { createDepartment } from '../../src/domain/departments/create-department.js';
import { inviteUsers } from '../../src/domain/users/invite-users.js';
import type { EmailTransport } from '../../src/email/email-transport.js';
import { createSmtpTransport } from '../../src/email/smtp-transport.js';
import { actorFor, contextFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

// The invitation as the invitee receives it from a real SMTP server, and its link doing its job.

let rt: TestRuntime;
let smtp: TestSmtpServer;
let transport: EmailTransport;
beforeAll(async () => {
  rt = await openTestRuntime();
  smtp = await startSmtpServer();
  transport = createSmtpTransport({ url: smtp.url, tlsRejectUnauthorized: true, connectionTimeoutMs: 3000 });
});
afterAll(async () => {
  transport?.close();
  await smtp?.close();
  await rt?.close();
});

it('arrives over SMTP with the organisation, inviter, role, escaped message, expiry and a working link', async () => {
  const s = rt.services;
  const org = await createOrg(s, 'Thames Valley Police');
  const inviter = await createUser(s, org.id, {
    role: 'administrator',
    displayName: 'Chief Inspector Morse',
  });
  const ctx = contextFor(s, await actorFor(s, inviter));
  const message = 'Welcome to CID <script>alert("x")</script> & good luck';
  await inviteUsers(ctx, {
    invitations: [{ email: 'lewis@tvp.example', role: 'investigator', message, expiresInDays: 5 }],
  });

  await deliverDueMessages(s, transport);
  const mail = smtp.received.filter((m) => m.envelopeTo.includes('lewis@tvp.example'));
  expect(mail).toHaveLength(1);
  const m = mail[0]!;
  expect(m.subject).toContain('Thames Valley Police');
  expect(m.text).toContain('Chief Inspector Morse');
  expect(m.text).toContain('Investigator');
  expect(m.text).toContain(message);
  const expires = new Date(rt.clock.now().getTime() + 5 * 86_400_000);
  const day = expires.toLocaleDateString('en-US', {
    timeZone: 'UTC',
    month: 'long',
    day: 'numeric',
    year: 'numeric',
  });
  expect(m.text).toContain(`expires on ${day}`);
  expect(m.html).toContain(
    'Welcome to CID &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; good luck',
  );
  expect(m.html).not.toContain('<script>');

  const link = /https:\/\/roster\.test\/accept-invitation#token=([A-Za-z0-9_%-]+)/.exec(m.text);
  expect(link).not.toBeNull();
  const token = decodeURIComponent(link![1]!);
  const user = await acceptInvitation(s, { token, password: 'a sturdy passphrase for the sergeant' });
  expect(user).toMatchObject({ email: 'lewis@tvp.example', status: 'active', role: 'investigator' });
  await expect(
    acceptInvitation(s, { token, password: 'a sturdy passphrase for the sergeant' }),
  ).rejects.toMatchObject({
    code: 'INVITATION_INVALID',
  });
});

it('names the department the person is invited into', async () => {
  const s = rt.services;
  const org = await createOrg(s, 'Oxford City');
  const owner = await createUser(s, org.id, { role: 'owner', displayName: 'Superintendent Strange' });
  const ctx = contextFor(s, await actorFor(s, owner));
  const cid = await createDepartment(ctx, { name: 'Criminal Investigation Department' });
  await inviteUsers(ctx, {
    invitations: [{ email: 'thursday@oxford.example', role: 'investigator', departmentId: cid.id }],
  });
  await inviteUsers(ctx, { invitations: [{ email: 'bright@oxford.example', role: 'viewer' }] });

  await deliverDueMessages(s, transport);
  const [placed] = smtp.received.filter((m) => m.envelopeTo.includes('thursday@oxford.example'));
  expect(placed!.text).toContain('as Investigator in Criminal Investigation Department.');
  expect(placed!.html).toContain('Criminal Investigation Department');
  // without a department the sentence ends at the role
  const [unplaced] = smtp.received.filter((m) => m.envelopeTo.includes('bright@oxford.example'));
  expect(unplaced!.text).toContain('as Viewer.');
  expect(unplaced!.text).not.toContain('as Viewer in');
});
