const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else can name no record, so callers answer NOT_FOUND without asking the database. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
