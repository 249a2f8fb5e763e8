import { Code, Table } from '@mantine/core';

/** Fields of audited changes in plain words; others are spelt out from their names. */
const fieldNames: Record<string, string> = {
  invitationTtlDays: 'Invitation links expire after (days)',
  sessionIdleMinutes: 'Idle sessions end after (minutes)',
  sessionAbsoluteHours: 'Sessions end after (hours)',
  brandColor: 'Brand colour',
  invitationReminderHours: 'Invitees reminded (hours before expiry)',
  responsibleRecipients: 'People responsible for the user are told',
  adminRecipients: 'Roles told',
  adminRecipientUserIds: 'People told',
  byKind: 'Audience per kind of notice',
};

function fieldName(key: string): string {
  const known = fieldNames[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.length ? v.join(', ') : 'None';
  return JSON.stringify(v);
}

type FieldChanges = Record<string, { from: unknown; to: unknown }>;

function isFieldChanges(c: unknown): c is FieldChanges {
  return (
    typeof c === 'object' &&
    c !== null &&
    !Array.isArray(c) &&
    Object.values(c).every((v) => typeof v === 'object' && v !== null && 'from' in v && 'to' in v)
  );
}

/** An event's changes: a before/after table when they are field changes, the recorded JSON otherwise. */
export function AuditChanges({ changes }: { changes: unknown }) {
  if (changes === null || changes === undefined) return <>None recorded</>;
  if (!isFieldChanges(changes)) return <Code block>{JSON.stringify(changes, null, 2)}</Code>;
  return (
    <Table withTableBorder aria-label="Changes">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Setting or field</Table.Th>
          <Table.Th scope="col">Before</Table.Th>
          <Table.Th scope="col">After</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(changes).map(([key, c]) => (
          <Table.Tr key={key}>
            <Table.Th scope="row" fw={500}>
              {fieldName(key)}
            </Table.Th>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{valueText(c.from)}</Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{valueText(c.to)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
