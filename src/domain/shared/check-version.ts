import { DomainError } from '../errors.js';

/** Optimistic concurrency: a write based on an older version of a record is refused. */
export function checkVersion(record: { version: number }, expectedVersion: number | null | undefined): void {
  if (expectedVersion != null && expectedVersion !== record.version) {
    throw new DomainError('VERSION_CONFLICT', undefined, {
      expected: expectedVersion,
      actual: record.version,
    });
  }
}
