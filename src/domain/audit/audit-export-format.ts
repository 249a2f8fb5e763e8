import type { AuditEventRow } from '../../db/schema.js';
import { hashedFieldsOf } from './audit-hash.js';

/** How an exported audit event looks, in CSV and in JSON Lines. Pure functions only. */

export const auditExportFormats = ['csv', 'jsonl'] as const;
export type AuditExportFormat = (typeof auditExportFormats)[number];

export const auditExportContentTypes: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** The CSV columns, in order (also the header row). */
export const auditExportColumns = [
  'seq',
  'id',
  'occurred_at',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'changes',
  'reason',
  'request_id',
  'ip',
  'user_agent',
  'prev_hash',
  'hash',
] as const;

/**
 * Spreadsheets run a cell that starts with = + - @ (or tab / carriage return, which some strip first) as a
 * formula. A leading single quote makes it text (OWASP "CSV injection"). The full-width forms are included
 * because some spreadsheet programs normalise them to the ASCII ones.
 */
const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

export function neutraliseCsvCell(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

/** One CSV record of an event; every text cell is neutralised (reason and user agent come from outside). */
export function csvRecordOf(row: AuditEventRow): string[] {
  const cells: (string | number | null)[] = [
    row.seq,
    row.id,
    row.occurred_at.toISOString(),
    row.actor_type,
    row.actor_id,
    row.action,
    row.target_type,
    row.target_id,
    row.changes === null ? null : JSON.stringify(row.changes),
    row.reason,
    row.request_id,
    row.ip,
    row.user_agent,
    row.prev_hash,
    row.hash,
  ];
  return cells.map((c) => (c === null ? '' : neutraliseCsvCell(String(c))));
}

/** One JSON object per line; JSON escapes line breaks inside values, so a record never spans lines. */
export function jsonLineOf(row: AuditEventRow): string {
  // The hashed fields (dates become ISO strings) without the organisation, then the chain links.
  const { orgId: _orgId, ...fields } = hashedFieldsOf(row);
  return `${JSON.stringify({ ...fields, prevHash: row.prev_hash, hash: row.hash })}\n`;
}

/** `audit-<org slug>-<YYYY-MM-DD>.<format>` (UTC date). Slugs are [a-z0-9-], safe in a header. */
export function auditExportFilename(orgSlug: string, at: Date, format: AuditExportFormat): string {
  return `audit-${orgSlug}-${at.toISOString().slice(0, 10)}.${format}`;
}
