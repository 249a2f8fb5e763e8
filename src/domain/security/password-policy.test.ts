import { describe, expect, it } from 'vitest';
import { assertPasswordAcceptable, passwordProblems, type PasswordProblem } from './password-policy.js';
import { commonPasswordList, isCommonPassword, PackedWordList } from './password-blocklist.js';
import { hashPassword, verifyPassword } from './password-hash.js';

describe('password policy', () => {
  it('asks for 15 characters as the only factor and 8 with MFA, counting characters not bytes', () => {
    expect(passwordProblems('short-pass-14c')).toEqual(['too_short']);
    expect(passwordProblems('fifteen chars!!')).toEqual([]);
    expect(passwordProblems('eight ch', { hasMfa: true })).toEqual([]);
    expect(passwordProblems('ñandú-ñandú-ñandú')).toEqual([]);
    expect(passwordProblems('🔑🌲🚲🎻🍋🧭🦉🪁🌋🎲🧊🪴🐙🛶x')).toEqual([]);
  });

  it('refuses common passwords, repeated characters and the email name', () => {
    expect(passwordProblems('password', { hasMfa: true })).toContain('common');
    expect(passwordProblems('ķķķķķķķķķķķķķķķķķķķķ')).toEqual(['predictable']);
    expect(passwordProblems('summer26', { hasMfa: true })).not.toEqual([]);
    // One symbol repeated is no better for being an emoji.
    expect(passwordProblems('🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑x')).toContain('predictable');
    expect(passwordProblems('jane.doe-is-my-password-now', { email: 'jane.doe@example.org' })).toContain(
      'contains_email',
    );
    expect(() => assertPasswordAcceptable('password')).toThrow(
      expect.objectContaining({ code: 'PASSWORD_POLICY' }),
    );
  });

  // The examples (all accepted before), then more of each kind the policy names. Some are on the
  // shipped list as well as predictable; either refusal will do for those ('common' wins when both hold).
  const weak: PasswordProblem[] = ['common', 'predictable'];
  const refused: [string, PasswordProblem | PasswordProblem[]][] = [
    ['123456789012345', weak],
    ['1234567890123456', weak],
    ['qwertyuiopasdfgh', weak],
    ['iloveyouiloveyou', weak],
    ['Password1234567!', weak],
    ['abcdefghijklmnop', weak],
    // sequences, forwards and backwards, letters and digits
    ['zyxwvutsrqponmlkji', 'predictable'],
    ['98765432109876543', 'predictable'],
    ['abcdefghij0123456789', 'predictable'],
    // keyboard walks
    ['1qaz2wsx3edc4rfv5tgb', 'predictable'],
    ['asdfghjkl;asdfghjkl;', 'predictable'],
    ['qazwsxedcrfvtgbyhn', 'predictable'],
    // a short chunk repeated
    ['abcabcabcabcabcabc', 'predictable'],
    ['trustno1trustno1', 'predictable'],
    ['P@ssw0rdP@ssw0rdP@ss', 'predictable'],
    ['Summer2026Summer2026', 'predictable'],
    // common words decorated
    ['Welcome2026!!!!!', 'predictable'],
    ['Passw0rd123456789', 'predictable'],
    ['letmeinletmein123', 'predictable'],
    // breached (on the shipped list)
    ['1q2w3e4r5t6y7u8i', 'common'],
    ['polniypizdec0211', 'common'],
    ['walcott987', 'common'],
  ];
  it.each(refused)('refuses %j (%s)', (password, problem) => {
    const problems = passwordProblems(password, { hasMfa: password.length < 15 });
    if (Array.isArray(problem)) expect(problem).toContain(problems[0]);
    else expect(problems).toContain(problem);
    expect(() => assertPasswordAcceptable(password)).toThrow(
      expect.objectContaining({ code: 'PASSWORD_POLICY' }),
    );
  });

  const accepted = [
    'correct horse battery staple',
    'violet staple harbour lantern 7',
    'a sturdy passphrase for the sergeant',
    'quiet meadow copper rocket 42',
    'fifteen chars!!',
    'glacier-mango-pivot-77',
    'x9#kq2!mzv7@pl4w',
    'Tr0ub4dor&3-extended',
    'mój kot lubi deszczowe poranki',
    'ñandú-ñandú-ñandú',
    'the sessions table fits its card',
    // long ones are analysed by their first 64 characters only, and still pass when those are strong
    'an unusually long passphrase about lanterns, harbours and violets, written once and kept',
  ];
  it.each(accepted)('accepts %j', (password) => {
    expect(passwordProblems(password)).toEqual([]);
  });

  it('refuses the organisation, the person and the email in the password, in any case or spacing', () => {
    const ctx = {
      email: 'j.kowalczyk@met.police.example',
      displayName: 'Jadwiga Kowalczyk',
      organizationName: 'Metropolitan Police',
      organizationSlug: 'met-police',
    };
    expect(passwordProblems('metropolitan police 2026 rocks', ctx)).toContain('contains_organization');
    expect(passwordProblems('MetPolice lantern harbour violet', ctx)).toContain('contains_organization');
    expect(passwordProblems('jadwiga loves violet lanterns', ctx)).toContain('contains_name');
    expect(passwordProblems('J.Kowalczyk harbour lanterns', ctx)).toEqual(
      expect.arrayContaining(['contains_email', 'contains_name']),
    );
    // Without the context the same passwords are fine: the context is what makes them guessable.
    expect(passwordProblems('metropolitan police 2026 rocks')).toEqual([]);
    expect(passwordProblems('jadwiga loves violet lanterns')).toEqual([]);
    // The context words make a password built of them predictable even when no single one is long.
    expect(passwordProblems('policemetpolice2026', { organizationName: 'Met Police' })).toContain(
      'predictable',
    );
    // A good password is not refused because of an unrelated context.
    expect(passwordProblems('correct horse battery staple', ctx)).toEqual([]);
  });

  it('ships a list of at least 100,000 common and breached passwords', () => {
    const list = commonPasswordList();
    expect(list.size).toBeGreaterThanOrEqual(100_000);
    expect(list.has('qwertyuiop123')).toBe(true);
    expect(isCommonPassword('IloveYou123456')).toBe(list.has('iloveyou123456'));
  });

  it('bounds the work of the pattern check on the longest passwords', () => {
    // Against a same-run baseline, not a clock: a 256-character password may cost about what its first
    // 64 characters do. Unbounded, zxcvbn's cost grows with the square of the length (~16x here).
    const timeOf = (password: string) => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) passwordProblems(password);
      return performance.now() - started;
    };
    const phrase =
      'violet harbour lantern copper meadow rocket glacier mango pivot quiet sergeant staple battery horse ' +
      'correct lantern orbit falcon tundra willow ember crimson basalt juniper saffron cobalt pewter marble';
    timeOf(phrase.slice(0, 64)); // warm
    const baseline = timeOf(phrase.slice(0, 64));
    expect(passwordProblems(phrase)).toEqual([]);
    expect(passwordProblems('1234567890'.repeat(25))).toContain('predictable');
    expect(timeOf(phrase)).toBeLessThan(3 * baseline + 5);
  });

  it('hashes with argon2id, never truncates, and normalises Unicode', async () => {
    const long = 'x'.repeat(100) + 'tail-that-matters';
    const h = await hashPassword(long);
    expect(h.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await verifyPassword(h, long)).toBe(true);
    expect(await verifyPassword(h, 'x'.repeat(100) + 'tail-that-differs')).toBe(false);
    const composed = await hashPassword('caf\u00e9 au lait, s’il vous plaît');
    expect(await verifyPassword(composed, 'cafe\u0301 au lait, s’il vous plaît')).toBe(true);
  });
});

describe('the packed word list', () => {
  it('finds exactly its words, whatever their order, bytes or neighbours', () => {
    const words = ['zebra', 'apple', 'äpfel', 'apple', 'app', 'applesauce', '日本語のパスワード', 'm'];
    const list = new PackedWordList(words);
    expect(list.size).toBe(7);
    for (const w of words) expect(list.has(w)).toBe(true);
    for (const w of ['', 'ap', 'appl', 'apples', 'zebras', 'a', 'n', 'äpfe', '日本語'])
      expect(list.has(w)).toBe(false);
    expect(new PackedWordList([]).has('x')).toBe(false);
  });
});
