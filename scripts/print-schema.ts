// Writes schema.graphql from the code-first schema; `--check` fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { printedSchema } from '../src/api/graphql/schema.js';

const printed = `${printedSchema()}\n`;
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync('schema.graphql', 'utf8');
  } catch {
    // missing file counts as different
  }
  if (committed !== printed) {
    process.stderr.write('schema.graphql is out of date: run `npm run schema` and commit the result.\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql is up to date\n');
} else {
  writeFileSync('schema.graphql', printed);
  process.stdout.write('wrote schema.graphql\n');
}
