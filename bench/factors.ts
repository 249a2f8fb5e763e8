// The second factors' verification cost per call (issue 12, "TOTP and WebAuthn verification cost per call"),
// each against its bare library call in the same run, in this process (core 1), on one account of the bench
// organisation beside the seeded users:
// - TOTP: the bare `otpauth` validation of a code; the product's check (open the sealed secret, match the
//   step: what `spendTotpCode` computes before it writes); the product's whole spend, with the conditional
//   UPDATE that makes the code single use; and that UPDATE alone as bare SQL.
// - WebAuthn: the bare `@simplewebauthn/server` verification of an assertion; the product's
//   `verifyPasskeyAssertion` (look-up by credential id, the library's check, the compare-and-set of the sign
//   counter); and its two statements alone as bare SQL. Assertions are made beforehand by the tests' software
//   authenticator (real ES256, real CBOR), so making them is not counted.
// Every product call is a real one: each TOTP code is of a later time step than the last one spent, each
// assertion carries a higher counter than the last one accepted.
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { Secret, TOTP } from 'otpauth';
import { resolveSecretKey } from '../src/domain/keys/secret-key.js';
import { openFactorSecret, sealFactorSecret } from '../src/domain/mfa/secret-seal.js';
import { spendTotpCode } from '../src/domain/mfa/spend-totp.js';
import { matchTotpStep, newTotpSecret, timeStepAt, totpCodeAt } from '../src/domain/mfa/totp.js';
import { relyingPartyOf, userHandleOf } from '../src/domain/passkeys/relying-party.js';
import { verifyPasskeyAssertion } from '../src/domain/passkeys/verify-passkey-assertion.js';
import { normalizeEmail, searchTextOf } from '../src/domain/users/user-record.js';
import { SoftAuthenticator } from '../test/support/soft-authenticator.js';
import { prepareDataset, type BenchTarget } from './dataset.js';

export interface PerCall {
  calls: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

export interface FactorsResult {
  target: string;
  users: number;
  totp: { bareLibrary: PerCall; productCheck: PerCall; productSpend: PerCall; bareSqlSpend: PerCall };
  webauthn: { bareLibrary: PerCall; product: PerCall; bareSql: PerCall };
  /** Product over bare, by mean: the check alone (no database) and the whole call (database included). */
  ratios: { totpCheck: number; totpSpend: number; webauthn: number };
}

const email = 'bench-factors@example.test';
const bareEmail = 'bench-factors-bare@example.test';

type Call = (i: number) => Promise<unknown> | unknown;

/**
 * Per-call times of several calls measured in turn, call by call (a, b, c, a, b, c, ...): the machine is
 * shared and its speed drifts, and interleaving gives every contender the same drift.
 */
async function perCall<T extends Call[]>(
  calls: number,
  contenders: [...T],
): Promise<{ [K in keyof T]: PerCall }> {
  for (let i = 0; i < Math.min(50, calls); i++) for (const one of contenders) await one(i); // warm-up
  const times = contenders.map(() => [] as number[]);
  for (let i = 0; i < calls; i++) {
    for (const [k, one] of contenders.entries()) {
      const t0 = process.hrtime.bigint();
      await one(i + 50);
      times[k]!.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  const results = times.map((t): PerCall => {
    t.sort((a, b) => a - b);
    const at = (q: number) => Math.round(t[Math.min(t.length - 1, Math.floor(q * t.length))]! * 10) / 10;
    const mean = t.reduce((sum, x) => sum + x, 0) / t.length;
    return { calls, meanUs: Math.round(mean * 10) / 10, p50Us: at(0.5), p99Us: at(0.99) };
  });
  return results as { [K in keyof T]: PerCall };
}

export async function benchFactors(
  target: BenchTarget,
  users: number,
  calls: number,
  log: (line: string) => void,
): Promise<FactorsResult> {
  const ds = await prepareDataset(target, users);
  const { services } = ds.runtime;
  const { db, config } = services;
  try {
    const now = services.clock.now();
    const benchUser = (address: string, name: string) =>
      db
        .insertInto('users')
        .values({
          org_id: ds.orgId,
          email: address,
          email_normalized: normalizeEmail(address),
          display_name: name,
          search_text: searchTextOf(name, address),
          role: 'viewer',
          status: 'active',
          created_at: now,
          updated_at: now,
          activated_at: now,
        })
        .onConflict((oc) => oc.columns(['org_id', 'email_normalized']).doUpdateSet({ updated_at: now }))
        .returning(['id', 'org_id'])
        .executeTakeFirstOrThrow();
    const user = await benchUser(email, 'Bench Factors');
    // The bare-SQL contenders write rows of their own (one authenticator app per person: another person).
    const bareUser = await benchUser(bareEmail, 'Bench Factors Bare');
    for (const id of [user.id, bareUser.id]) {
      await db.deleteFrom('mfa_factors').where('org_id', '=', ds.orgId).where('user_id', '=', id).execute();
      await db.deleteFrom('passkeys').where('org_id', '=', ds.orgId).where('user_id', '=', id).execute();
    }

    // --- TOTP: a confirmed factor with a sealed secret, spent at successive steps from a fixed start.
    const secret = newTotpSecret();
    const key = await resolveSecretKey(config);
    const factorId = crypto.randomUUID();
    await db
      .insertInto('mfa_factors')
      .values({
        id: factorId,
        org_id: user.org_id,
        user_id: user.id,
        kind: 'totp',
        name: 'Bench app',
        secret_sealed: sealFactorSecret(key, factorId, secret),
        confirmed_at: now,
      })
      .execute();
    const bareFactorId = crypto.randomUUID();
    await db
      .insertInto('mfa_factors')
      .values({
        id: bareFactorId,
        org_id: user.org_id,
        user_id: bareUser.id,
        kind: 'totp',
        name: 'Bench app (bare)',
        secret_sealed: sealFactorSecret(key, bareFactorId, secret),
        confirmed_at: now,
      })
      .execute();
    const factor = await db
      .selectFrom('mfa_factors')
      .select(['id', 'org_id', 'secret_sealed', 'last_used_step'])
      .where('id', '=', factorId)
      .executeTakeFirstOrThrow();
    const t0 = now.getTime();
    const stepMs = 30_000;
    const total = calls + 50;
    const codes = Array.from({ length: total }, (_, i) => totpCodeAt(secret, t0 + i * stepMs));
    const otpSecret = new Secret({ buffer: secret.slice().buffer });

    log(`factors: TOTP, ${calls} calls each...`);
    let lastStep: number | null = null;
    const [bareLibrary, productCheck, productSpend, bareSqlSpend] = await perCall(calls, [
      (i) => TOTP.validate({ token: codes[i]!, secret: otpSecret, timestamp: t0 + i * stepMs, window: 1 }),
      (i) =>
        matchTotpStep({
          secret: openFactorSecret(key, factor.id, factor.secret_sealed),
          code: codes[i]!,
          at: t0 + i * stepMs,
        }),
      async (i) => {
        const at = t0 + i * stepMs;
        const spent = { ...factor, last_used_step: lastStep };
        if (!(await spendTotpCode(db, config, spent, codes[i]!, new Date(at)))) {
          throw new Error(`bench: TOTP code ${i} refused`);
        }
        lastStep = timeStepAt(at);
      },
      // The same UPDATE as bare SQL, on a second factor row so the two never refuse each other's steps.
      async (i) => {
        const step = timeStepAt(t0 + i * stepMs);
        const r = await db
          .updateTable('mfa_factors')
          .set({ last_used_step: step, last_used_at: now })
          .where('org_id', '=', factor.org_id)
          .where('id', '=', bareFactorId)
          .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
          .returning('id')
          .executeTakeFirst();
        if (!r) throw new Error('bench: bare TOTP spend refused');
      },
    ]);

    // --- WebAuthn: one passkey registered through the library, then assertions with rising counters.
    const rp = relyingPartyOf(config);
    const authenticator = new SoftAuthenticator(rp.origin);
    const userHandle = Buffer.from(userHandleOf(user.id)).toString('base64url');
    const registration = authenticator.createCredential({
      challenge: 'YmVuY2gtcmVnaXN0cmF0aW9u',
      rp: { id: rp.rpID, name: 'Bench' },
      user: { id: userHandle, name: email, displayName: 'Bench Factors' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const registered = await verifyRegistrationResponse({
      response: registration,
      expectedChallenge: 'YmVuY2gtcmVnaXN0cmF0aW9u',
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
    });
    if (!registered.verified) throw new Error('bench: registration refused');
    const cred = registered.registrationInfo.credential;
    await db
      .insertInto('passkeys')
      .values({
        org_id: user.org_id,
        user_id: user.id,
        credential_id: cred.id,
        public_key: Buffer.from(cred.publicKey).toString('base64url'),
        sign_count: cred.counter,
        transports: ['internal'],
        device_type: registered.registrationInfo.credentialDeviceType,
        backed_up: registered.registrationInfo.credentialBackedUp,
        name: 'Bench key',
        aaguid: registered.registrationInfo.aaguid,
      })
      .execute();
    const bareCredentialId = `bench-bare-${crypto.randomUUID()}`;
    await db
      .insertInto('passkeys')
      .values({
        org_id: user.org_id,
        user_id: user.id,
        credential_id: bareCredentialId,
        public_key: Buffer.from(cred.publicKey).toString('base64url'),
        device_type: 'singleDevice',
        backed_up: false,
        name: 'Bench key (bare)',
        aaguid: registered.registrationInfo.aaguid,
      })
      .execute();
    const challenge = 'YmVuY2gtYXNzZXJ0aW9uLWNoYWxsZW5nZQ';
    const options = {
      challenge,
      rpId: rp.rpID,
      allowCredentials: [{ id: cred.id, type: 'public-key' as const }],
    };
    const assertions: AuthenticationResponseJSON[] = Array.from({ length: total }, () =>
      authenticator.getAssertion(options, { credentialId: cred.id }),
    );
    const storedKey = new Uint8Array(Buffer.from(cred.publicKey));

    log(`factors: WebAuthn, ${calls} calls each...`);
    let count = 0;
    const [webauthnBare, webauthnProduct, webauthnSql] = await perCall(calls, [
      async (i) => {
        const r = await verifyAuthenticationResponse({
          response: assertions[i]!,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          credential: { id: cred.id, publicKey: storedKey, counter: 0 },
          requireUserVerification: true,
        });
        if (!r.verified) throw new Error('bench: bare assertion refused');
      },
      async (i) => {
        const r = await verifyPasskeyAssertion(db, {
          orgId: user.org_id,
          userId: user.id,
          response: assertions[i]!,
          challenge,
          relyingParty: rp,
          now,
        });
        if (!r.ok) throw new Error(`bench: product assertion refused (${r.reason})`);
      },
      // The product's two statements alone, on a second passkey row.
      async () => {
        const p = await db
          .selectFrom('passkeys')
          .selectAll()
          .where('credential_id', '=', bareCredentialId)
          .where('org_id', '=', user.org_id)
          .where('user_id', '=', user.id)
          .executeTakeFirstOrThrow();
        count += 1;
        await db
          .updateTable('passkeys')
          .set({ sign_count: count, last_used_at: now })
          .where('id', '=', p.id)
          .where('sign_count', '=', p.sign_count)
          .returningAll()
          .executeTakeFirstOrThrow();
      },
    ]);

    const ratio = (a: PerCall, b: PerCall) => Math.round((a.meanUs / b.meanUs) * 100) / 100;
    const result: FactorsResult = {
      target: target.kind,
      users: ds.users,
      totp: { bareLibrary, productCheck, productSpend, bareSqlSpend },
      webauthn: { bareLibrary: webauthnBare, product: webauthnProduct, bareSql: webauthnSql },
      ratios: {
        totpCheck: ratio(productCheck, bareLibrary),
        totpSpend: ratio(productSpend, { ...bareSqlSpend, meanUs: bareSqlSpend.meanUs + bareLibrary.meanUs }),
        webauthn: ratio(webauthnProduct, {
          ...webauthnSql,
          meanUs: webauthnSql.meanUs + webauthnBare.meanUs,
        }),
      },
    };
    log(`factors: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await ds.runtime.close();
  }
}
