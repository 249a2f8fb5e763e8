import { describe, expect, it } from 'vitest';
import { mfaPolicyOf, mfaRequirementOf, nextRequiredSince } from './mfa-policy.js';

const day = 86_400_000;
const t0 = new Date('2026-12-01T09:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * day);
const none = { totp: false, passkey: false };

describe('the MFA policy of an organisation', () => {
  it('reads nothing as "not required", and malformed values as the defaults', () => {
    const p = mfaPolicyOf({});
    expect([...p.requiredRoles]).toEqual([]);
    expect(p.gracePeriodDays).toBe(7);
    const bad = mfaPolicyOf({ mfaRequiredRoles: ['administrator', 'nobody', 3], mfaGracePeriodDays: 400 });
    expect([...bad.requiredRoles]).toEqual(['administrator']);
    expect(bad.gracePeriodDays).toBe(7);
  });

  it('counts a phishing-resistant role as required', () => {
    const p = mfaPolicyOf({ mfaPhishingResistantRoles: ['owner'] });
    expect(p.requiredRoles.has('owner')).toBe(true);
    expect(p.phishingResistantRoles.has('owner')).toBe(true);
  });

  it('keeps the date a role became covered, dates newly covered roles now, drops uncovered ones', () => {
    const before = {
      mfaRequiredRoles: ['administrator', 'auditor'],
      mfaRequiredSince: { administrator: t0.toISOString(), auditor: t0.toISOString() },
    };
    const after = { mfaRequiredRoles: ['administrator'], mfaPhishingResistantRoles: ['owner'] };
    expect(nextRequiredSince(before, after, at(3))).toEqual({
      administrator: t0.toISOString(),
      owner: at(3).toISOString(),
    });
  });
});

describe('what the policy asks of one person', () => {
  const policy = mfaPolicyOf({
    mfaRequiredRoles: ['administrator'],
    mfaPhishingResistantRoles: ['owner'],
    mfaGracePeriodDays: 5,
    mfaRequiredSince: { administrator: t0.toISOString(), owner: t0.toISOString() },
  });

  it('asks nothing of a role the policy does not cover', () => {
    const r = mfaRequirementOf({ policy, role: 'viewer', activatedAt: null, factors: none, now: at(30) });
    expect(r).toEqual({
      required: false,
      phishingResistant: false,
      dueAt: null,
      satisfied: false,
      enforced: false,
    });
  });

  it('gives the grace period from the later of the policy and the activation, then enforces', () => {
    const old = { policy, role: 'administrator' as const, activatedAt: at(-100), factors: none };
    expect(mfaRequirementOf({ ...old, now: at(4.9) }).enforced).toBe(false);
    expect(mfaRequirementOf({ ...old, now: at(5) })).toMatchObject({ dueAt: at(5), enforced: true });
    const newcomer = { ...old, activatedAt: at(10) };
    expect(mfaRequirementOf({ ...newcomer, now: at(14) })).toMatchObject({ dueAt: at(15), enforced: false });
    expect(mfaRequirementOf({ ...newcomer, now: at(15) }).enforced).toBe(true);
  });

  it('is satisfied by either factor, or only by a passkey for a phishing-resistant role', () => {
    const admin = { policy, role: 'administrator' as const, activatedAt: at(-1), now: at(30) };
    expect(mfaRequirementOf({ ...admin, factors: { totp: true, passkey: false } }).enforced).toBe(false);
    expect(mfaRequirementOf({ ...admin, factors: { totp: false, passkey: true } }).enforced).toBe(false);
    const owner = { ...admin, role: 'owner' as const };
    expect(mfaRequirementOf({ ...owner, factors: { totp: true, passkey: false } })).toMatchObject({
      phishingResistant: true,
      satisfied: false,
      enforced: true,
    });
    expect(mfaRequirementOf({ ...owner, factors: { totp: true, passkey: true } }).satisfied).toBe(true);
  });

  it('counts from the activation alone when no date was stored for the role', () => {
    const undated = mfaPolicyOf({ mfaRequiredRoles: ['auditor'], mfaGracePeriodDays: 0 });
    const r = mfaRequirementOf({
      policy: undated,
      role: 'auditor',
      activatedAt: at(2),
      factors: none,
      now: at(2),
    });
    expect(r).toMatchObject({ dueAt: at(2), enforced: true });
  });
});
