import { describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../../db/schema.js';
import {
  auditExportColumns,
  auditExportFilename,
  csvRecordOf,
  jsonLineOf,
  neutraliseCsvCell,
} from './audit-export-format.js';

const row: AuditEventRow = {
  org_id: '11111111-1111-4111-8111-111111111111',
  seq: 7,
  id: '22222222-2222-4222-8222-222222222222',
  occurred_at: new Date('2026-03-04T05:06:07.089Z'),
  actor_type: 'user',
  actor_id: '33333333-3333-4333-8333-333333333333',
  action: 'user.suspended',
  target_type: 'user',
  target_id: null,
  changes: { status: { from: 'active', to: 'suspended' } },
  reason: '=HYPERLINK("http://evil.test","click")',
  request_id: 'req-1',
  ip: '10.0.0.1',
  user_agent: '@SUM(1+1)\nline two',
  prev_hash: '0'.repeat(64),
  hash: 'a'.repeat(64),
};

describe('audit export format', () => {
  it('neutralises cells a spreadsheet would run as a formula, and only those', () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '＝1+1', '＠x']) {
      expect(neutraliseCsvCell(v)).toBe(`'${v}`);
    }
    for (const v of ['', 'plain', 'a=b', ' =1', "'=1", '{"a":1}', '10.0.0.1']) {
      expect(neutraliseCsvCell(v)).toBe(v);
    }
  });

  it('makes one CSV record per event in the column order, nulls empty, text cells neutralised', () => {
    const record = csvRecordOf(row);
    expect(record).toHaveLength(auditExportColumns.length);
    const byColumn = Object.fromEntries(auditExportColumns.map((c, i) => [c, record[i]]));
    expect(byColumn).toMatchObject({
      seq: '7',
      occurred_at: '2026-03-04T05:06:07.089Z',
      target_id: '',
      changes: '{"status":{"from":"active","to":"suspended"}}',
      reason: `'=HYPERLINK("http://evil.test","click")`,
      user_agent: "'@SUM(1+1)\nline two",
    });
  });

  it('makes one JSON object per line, the raw values kept', () => {
    const line = jsonLineOf(row);
    expect(Object.keys(JSON.parse(line))).toEqual([
      'seq',
      'id',
      'occurredAt',
      'actorType',
      'actorId',
      'action',
      'targetType',
      'targetId',
      'changes',
      'reason',
      'requestId',
      'ip',
      'userAgent',
      'prevHash',
      'hash',
    ]);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({
      seq: 7,
      occurredAt: '2026-03-04T05:06:07.089Z',
      reason: row.reason,
      userAgent: row.user_agent,
      changes: row.changes,
      targetId: null,
      prevHash: row.prev_hash,
    });
  });

  it('names the file after the organisation and the UTC date', () => {
    expect(auditExportFilename('met-police', new Date('2026-12-31T23:30:00Z'), 'csv')).toBe(
      'audit-met-police-2026-12-31.csv',
    );
    expect(auditExportFilename('x', new Date('2026-01-02T00:00:00Z'), 'jsonl')).toBe(
      'audit-x-2026-01-02.jsonl',
    );
  });
});
