import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { withTransaction } from '../../src/db/transaction.js';
import { recordAuditEvents } from '../../src/domain/audit/record-audit-event.js';
import { signInAs } from '../support/auth.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

/** An organisation with three events whose free text looks like spreadsheet formulas, and a signed-in auditor. */
async function setup() {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const target = await createUser(s, org.id);
  const actor = await actorFor(s, admin);
  const reasons = ['=1+2', '-2+3', 'plain, with a comma'];
  for (const reason of reasons) {
    rt.clock.advance(1000);
    await withTransaction(s.db, (scope) =>
      recordAuditEvents(scope.trx, org.id, { actor, meta: { userAgent: '@SUM(A1)' }, now: rt.clock.now() }, [
        { action: 'user.suspended', targetType: 'user', targetId: target.id, reason },
      ]),
    );
  }
  const auditor = await createUser(s, org.id, { role: 'auditor' });
  const { accessToken } = await signInAs(rt, app, auditor);
  return { org, admin, target, auditor, token: accessToken };
}

const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'GET',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });

describe('GET /api/audit/export', () => {
  it('answers 401 without a valid token, as JSON', async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not.a-valid.token' },
      { authorization: 'Basic abc' },
    ];
    for (const headers of variants) {
      const r = await get('/api/audit/export?format=csv', undefined, headers);
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer');
      expect(r.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    }
  });

  it('exports CSV with formula cells neutralised, as an attachment named after the organisation', async () => {
    const { org, token } = await setup();
    const r = await get('/api/audit/export?format=csv&after=&action=', token, { 'user-agent': '+evil()' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    const day = rt.clock.now().toISOString().slice(0, 10);
    expect(r.headers['content-disposition']).toBe(`attachment; filename="audit-${org.slug}-${day}.csv"`);
    expect(r.headers['cache-control']).toBe('no-store');

    const text = r.body;
    expect(text.startsWith('\uFEFFseq,id,occurred_at,actor_type,actor_id,action,')).toBe(true);
    const lines = text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\n');
    const suspended = lines.filter((l) => l.includes(',user.suspended,'));
    expect(suspended).toHaveLength(3);
    expect(suspended[0]).toContain(`,'=1+2,`);
    expect(suspended[1]).toContain(`,'-2+3,`);
    expect(suspended[2]).toContain(`,"plain, with a comma",`);
    expect(suspended.every((l) => l.includes(`,'@SUM(A1),`))).toBe(true);
    // The export's own audit record is the last row, with this request's (neutralised) user agent.
    expect(lines[lines.length - 1]).toContain(',audit.exported,');
    expect(lines[lines.length - 1]).toContain(`,'+evil(),`);
    // No cell anywhere starts with a formula character.
    expect(text).not.toMatch(/(^|,)[=+\-@]/m);
  });

  it('exports JSON Lines with the raw values, filters applied and recorded', async () => {
    const { org, target, auditor, token } = await setup();
    const r = await get(`/api/audit/export?format=jsonl&action=user.&targetId=${target.id}&before=`, token);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(r.headers['content-disposition']).toMatch(/filename="audit-.+\.jsonl"$/);
    const rows = r.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((e) => e.reason)).toEqual(['=1+2', '-2+3', 'plain, with a comma']);
    expect(rows.every((e) => e.action === 'user.suspended' && e.targetId === target.id)).toBe(true);

    const recorded = await rt.services.db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('action', '=', 'audit.exported')
      .executeTakeFirstOrThrow();
    expect(recorded).toMatchObject({
      actor_id: auditor.id,
      target_type: 'organization',
      target_id: org.id,
      changes: { format: 'jsonl', filter: { action: 'user.', targetId: target.id } },
    });
  });

  it('answers 403 without audit:export and 400 for bad parameters, recording nothing', async () => {
    const { org, token } = await setup();
    const viewer = await createUser(rt.services, org.id, { role: 'viewer' });
    const viewerToken = (await signInAs(rt, app, viewer)).accessToken;
    const refused = await get('/api/audit/export?format=csv', viewerToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    // The permission is checked before the input, so bad input tells a forbidden caller nothing.
    expect((await get('/api/audit/export?format=xml&orgId=x', viewerToken)).statusCode).toBe(403);

    for (const query of [
      'format=xml',
      'format=csv&actorId=nope',
      'format=csv&after=tuesday',
      'format=csv&orgId=x',
      'filter=x',
    ]) {
      const r = await get(`/api/audit/export?${query}`, token);
      expect(r.statusCode, query).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
    const exports = await rt.services.db
      .selectFrom('audit_events')
      .select('seq')
      .where('org_id', '=', org.id)
      .where('action', '=', 'audit.exported')
      .execute();
    expect(exports).toEqual([]);
  });
});
