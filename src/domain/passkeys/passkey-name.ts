import { z } from 'zod';
import { passkeyRules } from './relying-party.js';

/** A passkey's name, chosen by its owner ("Work laptop"): trimmed, 1–100 characters, no control characters. */
export const passkeyName = z
  .string()
  .max(1000)
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'Give the passkey a name.')
      .max(passkeyRules.maxNameLength, `At most ${passkeyRules.maxNameLength} characters.`)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'No control characters.'),
  );
