import { describe, expect, it } from 'vitest';
import { chainReport, checkpointReport } from './audit.js';

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

describe('roster audit verify --checkpoints: output and exit code', () => {
  const at = { orgId: 'o', orgSlug: 'alpha', seq: 4 };
  it('says every chain extends the checkpoints and exits 0', () => {
    const r = checkpointReport(
      [
        { file: 'o.checkpoints', line: 1, ...at, ok: true },
        { file: 'o.checkpoints', line: 2, ...at, seq: 9, ok: true },
      ],
      '/cp',
    );
    expect(r).toEqual({
      lines: ['ok      2 checkpoints in /cp: every chain still extends them'],
      exitCode: 0,
    });
  });

  it('names the first failing checkpoint and exits 1; an empty folder proves nothing and fails', () => {
    const r = checkpointReport(
      [
        { file: 'o.checkpoints', line: 1, ...at, ok: true },
        {
          file: 'o.checkpoints',
          line: 2,
          ...at,
          ok: false,
          problem: 'hash_differs',
          detail: 'stored a, signed b',
        },
        {
          file: 'p.checkpoints',
          line: 1,
          orgId: null,
          orgSlug: null,
          seq: null,
          ok: false,
          problem: 'bad_signature',
        },
      ],
      '/cp',
    );
    expect(r.exitCode).toBe(1);
    expect(r.lines).toEqual([
      'FIRST FAILING  checkpoint o.checkpoints:2 (alpha, seq 4): hash_differs — stored a, signed b',
      'FAILING  checkpoint p.checkpoints:1: bad_signature',
      'BROKEN  2 of 3 checkpoints in /cp fail',
    ]);
    expect(checkpointReport([], '/cp')).toEqual({ lines: ['no checkpoints in /cp'], exitCode: 1 });
  });
});
