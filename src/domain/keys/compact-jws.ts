import { KeyObject, sign } from 'node:crypto';
import type { CryptoKey } from 'jose';

/**
 * A JWS in compact serialisation (RFC 7515 §7.1) signed with Ed25519 (`alg: EdDSA`, RFC 8037) by node:crypto.
 * Only the serialisation is written here — base64url of two JSON texts joined by a dot — the signature is
 * node:crypto's (OpenSSL's). jose stays the verifier of every token. Why not jose's SignJWT: jose 6 signs
 * through WebCrypto, whose async job costs about 0.5 ms of the event loop per token against 0.08 ms for a
 * synchronous `crypto.sign`, and every sign-in and refresh signs one, on the core that also hashes
 * passwords (issue 10). Ed25519 signatures are deterministic, so the test compares this output with
 * SignJWT's byte for byte.
 */
export function signCompactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: CryptoKey | Uint8Array,
): string {
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  const signature = sign(null, Buffer.from(signingInput), keyObjectOf(key));
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64urlJson(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const keyObjects = new WeakMap<object, KeyObject>();

/** The node:crypto view of an imported Ed25519 private key, made once per key. */
function keyObjectOf(key: CryptoKey | Uint8Array): KeyObject {
  if (key instanceof Uint8Array)
    throw new Error('compact JWS: an Ed25519 private key is needed, not raw bytes');
  let k = keyObjects.get(key);
  if (!k) {
    k = KeyObject.from(key as unknown as globalThis.CryptoKey);
    if (k.type !== 'private' || k.asymmetricKeyType !== 'ed25519') {
      throw new Error('compact JWS: an Ed25519 private key is needed');
    }
    keyObjects.set(key, k);
  }
  return k;
}
