import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getIntrospectionQuery,
  Kind,
  Lexer,
  parse,
  print,
  Source,
  TokenKind,
  type DocumentNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { createDocumentStore } from './documents.js';
import { aliasLimitRule, costLimitRule, graphqlLimits, singleUseFieldRule } from './limits.js';
import { graphqlSchema } from './schema.js';

const store = (maxCachedLength: number = graphqlLimits.maxCachedDocumentLength) =>
  createDocumentStore({
    schema: graphqlSchema(),
    rules: [
      aliasLimitRule(),
      singleUseFieldRule(),
      costLimitRule(graphqlLimits.maxCost, graphqlLimits.maxDepth, { introspection: true }),
    ],
    maxQueryLength: graphqlLimits.maxQueryLength,
    maxTokens: graphqlLimits.maxTokens,
    maxCachedLength,
    hideSuggestions: false,
  });

describe('the document store', () => {
  it('never keeps a document that failed to parse or validate', () => {
    const s = store();
    for (let i = 0; i < 50; i++) {
      expect(s.prepare(`query Q${i} { viewer { id }`).ok).toBe(false); // syntax
      expect(s.prepare(`query Q${i} { nosuchfield }`).ok).toBe(false); // validation
      expect(s.prepare(`query Q${i} { ${'__typename '.repeat(900)}}`).ok).toBe(false); // overlap budget
    }
    expect(s.stats()).toEqual({ documents: 0, length: 0 });
    const ok = s.prepare('query Fine { viewer { id } }');
    expect(ok.ok).toBe(true);
    expect(s.stats().documents).toBe(1);
    // The same text is answered from the cache: the same prepared object.
    const again = s.prepare('query Fine { viewer { id } }');
    expect(again.ok && ok.ok && again.prepared === ok.prepared).toBe(true);
  });

  it('bounds the cache by the total length of the documents, not their number', () => {
    const budget = 100_000;
    const s = store(budget);
    const padded = (n: number) => `query Q${n} { viewer { id } }\n# ${'x'.repeat(9_000)}`;
    for (let i = 0; i < 100; i++) expect(s.prepare(padded(i)).ok).toBe(true);
    expect(s.stats().length).toBeLessThanOrEqual(budget);
    expect(s.stats().documents).toBeLessThanOrEqual(11);
    // Small documents fill the same budget in larger numbers.
    for (let i = 0; i < 1_000; i++) s.prepare(`query S${i} { viewer { id } }`);
    expect(s.stats().documents).toBeGreaterThan(900);
  });

  it('refuses a document over the length limit before parsing it, and one over maxTokens while parsing', () => {
    const s = store();
    const long = s.prepare(`{ viewer { id } }#${'x'.repeat(graphqlLimits.maxQueryLength)}`);
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.errors[0]?.message).toMatch(/too long/);
    const many = s.prepare(
      `{ users(filter: { status: [${'ACTIVE '.repeat(graphqlLimits.maxTokens)}] }) { __typename } }`,
    );
    expect(many.ok).toBe(false);
    if (!many.ok) expect(many.errors[0]?.message).toMatch(/tokens/);
  });

  it('compiles a document with graphql-jit on its second use only', () => {
    const s = store();
    const p = s.prepare('query Twice { viewer { id } }');
    if (!p.ok) throw new Error('did not prepare');
    expect(s.compiled(p.prepared, undefined)).toBeUndefined();
    const compiled = s.compiled(p.prepared, undefined);
    expect(compiled).toBeDefined();
    expect(s.compiled(p.prepared, undefined)).toBe(compiled);
  });
});

/** Every operation document of the web console as it sends it (printed, with the fragments it spreads). */
function consoleDocuments(): { name: string; text: string }[] {
  const root = fileURLToPath(new URL('../../../console/src', import.meta.url));
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(f) ? [p] : [];
    });
  const docs: DocumentNode[] = [];
  for (const file of walk(root)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/graphql\(\s*`([^`]*)`/g))
      docs.push(parse(m[1] ?? ''));
  }
  const fragments = new Map(
    docs.flatMap((d) =>
      d.definitions.flatMap((x) => (x.kind === Kind.FRAGMENT_DEFINITION ? [[x.name.value, x] as const] : [])),
    ),
  );
  return docs.flatMap((d) => {
    const op = d.definitions.find((x) => x.kind === Kind.OPERATION_DEFINITION);
    if (!op || op.kind !== Kind.OPERATION_DEFINITION) return [];
    const parts = [print(d)];
    const seen = new Set<string>();
    for (let i = 0; i < parts.length; i++) {
      for (const m of (parts[i] ?? '').matchAll(/\.\.\.\s*([A-Za-z_]\w*)/g)) {
        const f = fragments.get(m[1] ?? '');
        if (f && !seen.has(f.name.value) && !parts[0]?.includes(`fragment ${f.name.value} `)) {
          seen.add(f.name.value);
          parts.push(print(f));
        }
      }
    }
    return [{ name: op.name?.value ?? '(anonymous)', text: parts.join('\n\n') }];
  });
}

function tokenCount(text: string): number {
  const lexer = new Lexer(new Source(text));
  let n = 0;
  while (lexer.advance().kind !== TokenKind.EOF) n++;
  return n;
}

describe('the limits fit real documents', () => {
  it('leave at least 5x margin over the console’s largest document and graphql-js’ introspection query', () => {
    const docs = [
      ...consoleDocuments(),
      {
        name: 'introspection',
        text: getIntrospectionQuery({
          specifiedByUrl: true,
          directiveIsRepeatable: true,
          schemaDescription: true,
          inputValueDeprecation: true,
        }),
      },
    ];
    expect(docs.length).toBeGreaterThan(40);
    const longest = Math.max(...docs.map((d) => d.text.length));
    const mostTokens = Math.max(...docs.map((d) => tokenCount(d.text)));
    console.log(`${docs.length} documents: longest ${longest} characters, most tokens ${mostTokens}`);
    expect(longest * 5).toBeLessThan(graphqlLimits.maxQueryLength);
    expect(mostTokens * 5).toBeLessThan(graphqlLimits.maxTokens);
    // And every one of them prepares (parses and validates) under those limits.
    const s = store();
    for (const d of docs) expect([d.name, s.prepare(d.text).ok]).toEqual([d.name, true]);
  });
});
