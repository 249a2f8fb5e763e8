import { describe, expect, it } from 'vitest';
import { chainReport } from './audit.js';

const id = '22222222-2222-4222-8222-222222222222';

describe('roster audit verify: output and exit code', () => {
  it('prints one line per organisation and exits 0 when every chain is intact', () => {
    const r = chainReport([
      { orgId: 'a', slug: 'alpha', result: { ok: true, checked: 12 } },
      { orgId: 'b', slug: 'beta', result: { ok: true, checked: 0 } },
    ]);
    expect(r).toEqual({
      lines: ['ok      alpha: 12 events verified', 'ok      beta: 0 events verified'],
      exitCode: 0,
    });
  });

  it('exits 1 when any chain is broken and names the first broken link', () => {
    const r = chainReport([
      { orgId: 'a', slug: 'alpha', result: { ok: true, checked: 3 } },
      {
        orgId: 'b',
        slug: 'beta',
        result: {
          ok: false,
          checked: 4,
          firstBrokenSeq: 5,
          firstBrokenEventId: id,
          problem: 'hash_mismatch',
        },
      },
      {
        orgId: 'c',
        slug: 'gamma',
        result: {
          ok: false,
          checked: 1,
          firstBrokenSeq: 2,
          firstBrokenEventId: null,
          problem: 'sequence_gap',
        },
      },
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.lines).toEqual([
      'ok      alpha: 3 events verified',
      `BROKEN  beta: hash_mismatch at seq 5 (event ${id}); 4 events verified before it`,
      'BROKEN  gamma: sequence_gap at seq 2 (no event stored there); 1 event verified before it',
    ]);
  });

  it('exits 2 for an unknown organisation, 0 when there are none at all', () => {
    expect(chainReport([], 'nope')).toEqual({ lines: ['no organisation with slug "nope"'], exitCode: 2 });
    expect(chainReport([])).toEqual({ lines: ['no organisations'], exitCode: 0 });
  });
});
