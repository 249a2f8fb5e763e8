import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { deliverDueMessages } from '../../src/domain/notifications/deliver-outbox.js';
import { fanOutNotices } from '../../src/domain/notifications/fan-out-notices.js';
import { bootstrapOrganization } from '../../src/domain/organizations/bootstrap-organization.js';
import { createDevelopmentTransport } from '../../src/email/development-transport.js';
import { gql } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/** A real Roster over HTTP on a free port, serving the built console, with a fresh organisation. */
export interface E2EServer {
  rt: TestRuntime;
  app: RosterServer;
  baseUrl: string;
  orgSlug: string;
  ownerEmail: string;
  /** The first owner's one-time setup link, pointed at this server. */
  setupLink: string;
  /**
   * Fans out pending notices and delivers queued mail into the development mailbox (what the job worker
   * does every few seconds).
   */
  deliverMail(): Promise<void>;
  /** The latest development-mailbox message to `recipient`, read through the GraphQL API. */
  mailTo(recipient: string, accessToken: string): Promise<{ subject: string; text: string }>;
  /** A link from an email, moved onto this server (emails use the configured public URL). */
  local(link: string): string;
  close(): Promise<void>;
}

export async function startE2EServer(
  opts: {
    /**
     * Serve at http://localhost:<port> and make that the PUBLIC_URL: WebAuthn needs a secure context
     * (localhost is one) and an RP ID the page's host matches (the passkeys tests).
     */
    localhost?: boolean;
  } = {},
): Promise<E2EServer> {
  const rt = await openTestRuntime();
  const app = await buildServer(rt.services, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://${opts.localhost ? 'localhost' : '127.0.0.1'}:${port}`;
  if (opts.localhost) {
    // The port is known only now; the configuration is read per request, so setting it here is in time.
    rt.services.config.publicUrl = baseUrl;
    rt.config.publicUrl = baseUrl;
  }
  const local = (link: string) => {
    const u = new URL(link);
    return `${baseUrl}${u.pathname}${u.search}${u.hash}`;
  };
  const ownerEmail = 'olivia.owner@example.com';
  const slug = `e2e-${port}`;
  const boot = await bootstrapOrganization(rt.services, { name: 'Northwind Constabulary', slug, ownerEmail });
  const transport = createDevelopmentTransport(rt.services.db, pino({ level: 'silent' }), false);
  return {
    rt,
    app,
    baseUrl,
    orgSlug: slug,
    ownerEmail,
    setupLink: local(boot.setupLink),
    local,
    async deliverMail() {
      // Administrators' notices fan out after commit first (the worker's delivery loop does both).
      await fanOutNotices(rt.services);
      await deliverDueMessages(rt.services, transport);
    },
    async mailTo(recipient, accessToken) {
      const r = await gql(
        app,
        '{ devMailbox(first: 50) { recipient subject text } }',
        undefined,
        accessToken,
      );
      const found = (r.body.data?.devMailbox ?? []).find(
        (m: { recipient: string }) => m.recipient.toLowerCase() === recipient.toLowerCase(),
      );
      if (!found)
        throw new Error(`no mail to ${recipient} in the development mailbox: ${JSON.stringify(r.body)}`);
      return found;
    },
    async close() {
      await app.close();
      await rt.close();
    },
  };
}

export async function signInApi(server: E2EServer, email: string, password: string): Promise<string> {
  const r = await gql(
    server.app,
    'mutation($i: SignInInput!) { signIn(input: $i) { accessToken userErrors { code message } } }',
    { i: { email, password, organization: server.orgSlug } },
  );
  const token = r.body.data?.signIn?.accessToken;
  if (!token) throw new Error(`sign-in failed: ${JSON.stringify(r.body)}`);
  return token;
}
