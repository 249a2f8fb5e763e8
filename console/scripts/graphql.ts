/**
 * The console's typed GraphQL documents (gql.tada) follow the committed schema.graphql:
 *   npm run console:graphql             regenerate console/src/graphql-env.d.ts from schema.graphql
 *   npm run console:graphql -- --check  fail when that file is stale, or when any document in console/src
 *                                       asks for a field, argument or type the schema does not have (CI)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsconfig = 'console/tsconfig.json';
const committed = 'console/src/graphql-env.d.ts';
const check = process.argv.includes('--check');

function gqlTada(args: string[]): number {
  const r = spawnSync(process.execPath, ['node_modules/gql.tada/bin/cli.js', ...args], {
    cwd: repo,
    stdio: 'inherit',
  });
  return r.status ?? 1;
}

if (!check) {
  process.exit(gqlTada(['generate-output', '-c', tsconfig]));
}

mkdirSync(`${repo}/.tmp`, { recursive: true });
const fresh = '.tmp/graphql-env.check.d.ts';
if (gqlTada(['generate-output', '-c', tsconfig, '-o', fresh]) !== 0) process.exit(1);
if (readFileSync(`${repo}/${fresh}`, 'utf8') !== readFileSync(`${repo}/${committed}`, 'utf8')) {
  console.error(`${committed} is stale: run \`npm run console:graphql\` and commit it.`);
  process.exit(1);
}
process.exit(gqlTada(['check', '-c', tsconfig, '--fail-on-warn']));
