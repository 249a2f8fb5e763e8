import { describe, expect, it } from 'vitest';
import { parseFilter } from './filter/index.js';
import { ScimError } from './scim-error.js';
import { patchOpSchema } from './patch-request.js';
import { applyPatch, domainFieldsOf, expectedVersionOf, matchesValue, type UserDoc } from './user-writes.js';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const base = (): UserDoc => ({
  core: {
    userName: 'a@x.test',
    active: true,
    displayName: 'A',
    name: { givenName: 'A', formatted: 'A' },
    emails: [{ value: 'a@x.test', type: 'work', primary: true }],
  },
  enterprise: {},
});
const patch = (...Operations: unknown[]) => ({ schemas: [patchOpSchema], Operations });
const scimTypeOf = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof ScimError ? `${e.status} ${e.scimType ?? ''}`.trim() : String(e);
  }
};

describe('applyPatch', () => {
  it('never changes its input, and applies operations in order', () => {
    const before = base();
    const frozen = JSON.stringify(before);
    const after = applyPatch(
      before,
      patch(
        { op: 'replace', path: 'title', value: 'One' },
        { op: 'Replace', path: 'title', value: 'Two' },
        { op: 'REMOVE', path: 'name.givenName' },
      ),
    );
    expect(JSON.stringify(before)).toBe(frozen);
    expect(after.core.title).toBe('Two');
    expect(after.core.name).toEqual({ formatted: 'A' });
  });

  it('reads booleans sent as strings in any case, and refuses other strings', () => {
    expect(applyPatch(base(), patch({ op: 'replace', path: 'active', value: 'FALSE' })).core.active).toBe(
      false,
    );
    expect(applyPatch(base(), patch({ op: 'replace', value: { active: 'True' } })).core.active).toBe(true);
    expect(scimTypeOf(() => applyPatch(base(), patch({ op: 'replace', path: 'active', value: 'no' })))).toBe(
      '400 invalidValue',
    );
  });

  it('names attributes case-insensitively, with or without the core schema URN', () => {
    const d = applyPatch(
      base(),
      patch(
        { op: 'replace', path: 'DISPLAYNAME', value: 'B' },
        { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:title', value: 'T' },
        { op: 'add', path: `${enterprise.toUpperCase()}:EMPLOYEENUMBER`, value: '7' },
      ),
    );
    expect(d.core.displayName).toBe('B');
    expect(d.core.title).toBe('T');
    expect(d.enterprise.employeeNumber).toBe('7');
  });

  it('adds a value built from the filter when add finds no match; replace then is noTarget', () => {
    const doc: UserDoc = { ...base(), core: { ...base().core, emails: [] } };
    const added = applyPatch(
      doc,
      patch({ op: 'add', path: 'emails[type eq "work"].value', value: 'a@x.test' }),
    );
    expect(added.core.emails).toEqual([{ type: 'work', value: 'a@x.test' }]);
    expect(
      scimTypeOf(() =>
        applyPatch(doc, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'x' })),
      ),
    ).toBe('400 noTarget');
  });

  it('refuses what is not a PatchOp', () => {
    expect(scimTypeOf(() => applyPatch(base(), { Operations: [] }))).toBe('400 invalidSyntax');
    expect(scimTypeOf(() => applyPatch(base(), patch({ op: 'replace', value: 'not an object' })))).toBe(
      '400 invalidValue',
    );
    expect(
      scimTypeOf(() =>
        applyPatch(base(), patch(...Array.from({ length: 101 }, () => ({ op: 'remove', path: 'title' })))),
      ),
    ).toBe('400 tooMany');
  });
});

describe('matchesValue', () => {
  it('evaluates a value filter on one value: and, or, not, pr, case-insensitive strings', () => {
    const el = { type: 'Work', value: 'a@x.test', primary: true };
    expect(matchesValue(parseFilter('type eq "work" and primary eq true'), el)).toBe(true);
    expect(matchesValue(parseFilter('type eq "home" or value ew "@X.TEST"'), el)).toBe(true);
    expect(matchesValue(parseFilter('not (type eq "work")'), el)).toBe(false);
    expect(matchesValue(parseFilter('display pr'), el)).toBe(false);
  });
});

describe('domainFieldsOf', () => {
  it('takes a changed name.formatted over an unchanged displayName, and clears blank strings', () => {
    const before = base();
    const after = applyPatch(before, patch({ op: 'replace', path: 'name.formatted', value: 'Formal A' }));
    expect(domainFieldsOf(after, before).displayName).toBe('Formal A');
    const blank = applyPatch(before, patch({ op: 'replace', path: 'title', value: '  ' }));
    expect(domainFieldsOf(blank, before).jobTitle).toBeNull();
  });
});

describe('expectedVersionOf', () => {
  it('reads a weak or strong ETag, * and lists; anything else is 412', () => {
    expect(expectedVersionOf(undefined, 3)).toBeUndefined();
    expect(expectedVersionOf('*', 3)).toBeUndefined();
    expect(expectedVersionOf('W/"3"', 3)).toBe(3);
    expect(expectedVersionOf('"2"', 3)).toBe(2);
    expect(expectedVersionOf('W/"1", W/"3"', 3)).toBe(3);
    expect(scimTypeOf(() => expectedVersionOf('W/3', 3))).toBe('412');
  });
});
