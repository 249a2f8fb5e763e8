import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/**
 * How many guesses a cracker that knows the usual patterns needs for a password: zxcvbn's estimate, which
 * recognises the patterns NIST SP 800-63B asks verifiers to refuse — sequences (`abcdef`, `123456`),
 * keyboard walks (`qwertyuiop`, `1qaz2wsx`), repeated chunks (`iloveyouiloveyou`), common passwords with
 * decorations (`Password1234567!`), dates — and the context words it is given (organisation, name, email).
 * It is an estimate of guessability, not a composition rule: a long phrase of ordinary words passes.
 */
let factory: ZxcvbnFactory | undefined;

/**
 * Only the first characters are analysed: zxcvbn's cost grows with the square of the length (a 256-character
 * password takes ~0.4 s, blocking the event loop), and a weak prefix makes the whole guessable first.
 */
export const analysedLength = 64;

/**
 * Fewer estimated guesses than this is "predictable". 10^10 guesses is what an offline attack on a leaked
 * argon2id hash reaches in years on one core (~50 hashes/s) but in hours on a GPU rig for a fast hash; the
 * refused examples of the issue all fall below 10^8.5, ordinary four-word phrases lie above 10^19.
 */
export const minGuessesLog10 = 10;
/**
 * With a second factor the password alone no longer opens the account, and NIST allows 8 characters: only
 * the plainly guessable (under 10^6 guesses: `summer26`, `password1`) is refused, as zxcvbn's lowest scores.
 */
export const minGuessesLog10WithMfa = 6;

export function guessesLog10(password: string, contextWords: readonly string[]): number {
  factory ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });
  return factory.check([...password].slice(0, analysedLength).join(''), [...contextWords]).guessesLog10;
}
