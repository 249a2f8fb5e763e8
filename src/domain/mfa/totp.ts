import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) as authenticator apps do it: HMAC-SHA-1, 6 digits, 30-second steps, and one step either
 * side accepted for clock drift. The algorithm and digits are parameters only so the RFC's own test vectors
 * (8 digits, SHA-256/512) run through the same verification; the product always uses the defaults.
 * `otpauth` does the cryptography; this file only pins its parameters and says which step matched.
 */
export const totpRules = {
  algorithm: 'SHA1',
  digits: 6,
  period: 30,
  window: 1,
  /** 160 bits, RFC 4226's recommended secret length (and what apps expect for SHA-1). */
  secretBytes: 20,
} as const;

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpCheck {
  /** The shared secret, raw bytes. */
  secret: Uint8Array;
  /** What the person typed; spaces are ignored. */
  code: string;
  /** Epoch milliseconds. */
  at: number;
  algorithm?: TotpAlgorithm;
  digits?: number;
  window?: number;
}

/** The time step (RFC 6238 `T`) of an instant. */
export function timeStepAt(at: number, period: number = totpRules.period): number {
  return Math.floor(at / 1000 / period);
}

/**
 * Pure: the time step whose code this is, within the window around `at`, or null. The caller refuses a step
 * it has already spent (and any earlier one) — that is what makes a code single use.
 */
export function matchTotpStep(c: TotpCheck): number | null {
  const digits = c.digits ?? totpRules.digits;
  const token = c.code.replace(/\s+/g, '');
  if (token.length !== digits || !/^[0-9]+$/.test(token)) return null;
  const delta = TOTP.validate({
    token,
    secret: new Secret({ buffer: toArrayBuffer(c.secret) }),
    algorithm: c.algorithm ?? totpRules.algorithm,
    digits,
    period: totpRules.period,
    timestamp: c.at,
    window: c.window ?? totpRules.window,
  });
  return delta === null ? null : timeStepAt(c.at) + delta;
}

/** The code of an instant (for tests and the console's own checks; never sent anywhere by the server). */
export function totpCodeAt(secret: Uint8Array, at: number, algorithm: TotpAlgorithm = 'SHA1', digits = 6) {
  return TOTP.generate({
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    algorithm,
    digits,
    period: totpRules.period,
    timestamp: at,
  });
}

export function newTotpSecret(): Uint8Array {
  return new Uint8Array(new Secret({ size: totpRules.secretBytes }).bytes);
}

export function base32Of(secret: Uint8Array): string {
  return new Secret({ buffer: toArrayBuffer(secret) }).base32;
}

/** The `otpauth://` URI an app scans: issuer = the organisation's name, label = the person's email. */
export function otpauthUri(secret: Uint8Array, issuer: string, email: string): string {
  return new TOTP({
    issuer,
    label: email,
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    algorithm: totpRules.algorithm,
    digits: totpRules.digits,
    period: totpRules.period,
  }).toString();
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
