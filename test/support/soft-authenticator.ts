import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A software WebAuthn authenticator for API tests: real ES256 key pairs (node:crypto), real CBOR (the
 * encoder @simplewebauthn/server itself uses), real authenticator data, `none` attestation and DER
 * signatures over authenticatorData || SHA-256(clientDataJSON) — the structures a browser hands the
 * server, so the product's verification runs exactly as in production. It keeps discoverable credentials
 * (with their user handle) and a signature counter per credential. Knobs let a test lie: another origin,
 * another RP ID, an older counter, no user verification.
 */
interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

export interface CeremonyKnobs {
  /** The page's origin the client reports (defaults to the expected one given to the constructor). */
  origin?: string;
  /** The RP ID the authenticator hashes into authenticatorData (defaults to the options' rpId). */
  rpId?: string;
  /** User verification flag (default true). */
  userVerified?: boolean;
}

export class SoftAuthenticator {
  readonly credentials = new Map<string, StoredCredential>();
  readonly aaguid = randomBytes(16);
  constructor(readonly origin: string) {}

  /** navigator.credentials.create: a new discoverable ES256 credential; counter starts at `counter`. */
  createCredential(
    options: PublicKeyCredentialCreationOptionsJSON,
    knobs: CeremonyKnobs & { counter?: number } = {},
  ): RegistrationResponseJSON {
    if (!options.pubKeyCredParams.some((p) => p.alg === -7)) throw new Error('ES256 not offered');
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    for (const c of this.credentials.values()) {
      if (excluded.has(c.id)) throw new Error('InvalidStateError: credential excluded');
    }
    const rpId = knobs.rpId ?? options.rp.id!;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const credId = randomBytes(32);
    const counter = knobs.counter ?? 0;
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(credId.length);
    const authData = Buffer.concat([
      this.authDataHead(rpId, knobs.userVerified ?? true, counter, true),
      this.aaguid,
      idLen,
      credId,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    const clientDataJSON = JSON.stringify({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: knobs.origin ?? this.origin,
      crossOrigin: false,
    });
    const id = b64url(credId);
    this.credentials.set(id, { id, privateKey, rpId, userHandle: options.user.id, counter });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /**
   * navigator.credentials.get: an assertion by `credentialId` (default: the only credential, as a
   * discoverable sign-in would pick). The counter goes up by one unless `counter` says otherwise.
   */
  getAssertion(
    options: PublicKeyCredentialRequestOptionsJSON,
    knobs: CeremonyKnobs & { credentialId?: string; counter?: number } = {},
  ): AuthenticationResponseJSON {
    const cred = knobs.credentialId
      ? this.credentials.get(knobs.credentialId)
      : [...this.credentials.values()].at(-1);
    if (!cred) throw new Error('NotAllowedError: no credential');
    const counter = knobs.counter ?? cred.counter + 1;
    cred.counter = Math.max(cred.counter, counter);
    const authData = this.authDataHead(
      knobs.rpId ?? options.rpId ?? cred.rpId,
      knobs.userVerified ?? true,
      counter,
    );
    const clientDataJSON = JSON.stringify({
      type: 'webauthn.get',
      challenge: options.challenge,
      origin: knobs.origin ?? this.origin,
      crossOrigin: false,
    });
    // ES256 as WebAuthn has it: ECDSA P-256 with SHA-256, DER-encoded (node's default encoding).
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), cred.privateKey);
    return {
      id: cred.id,
      rawId: cred.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: cred.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** rpIdHash | flags (UP, UV, BE+BS: a synced passkey, AT when credential data follows) | signCount. */
  private authDataHead(rpId: string, userVerified: boolean, counter: number, attested = false): Buffer {
    const flags = 0x01 | (userVerified ? 0x04 : 0) | 0x08 | 0x10 | (attested ? 0x40 : 0);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }
}
