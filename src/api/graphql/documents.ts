import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/** A document that parsed and passed every validation rule; only such documents are ever cached. */
export interface PreparedDocument {
  readonly document: DocumentNode;
  /** Executions since it was cached: compiled on the second (a one-off document is not worth compiling). */
  uses: number;
  /** graphql-jit's compiled form, per operation name ('' for the only operation). */
  readonly compiled: Map<string, CompiledQuery>;
}

export type Preparation =
  { ok: true; prepared: PreparedDocument } | { ok: false; errors: readonly GraphQLError[] };

export interface DocumentStoreOptions {
  schema: GraphQLSchema;
  /** Added to graphql-js' specified rules. */
  rules: readonly ValidationRule[];
  /** Longest document text accepted (UTF-16 code units, about bytes for GraphQL's ASCII syntax). */
  maxQueryLength: number;
  /** graphql-js' `maxTokens`: parsing stops there, so a huge document costs no more than a small one. */
  maxTokens: number;
  /** Total length of the cached documents' text: what bounds the cache's memory (see ARCHITECTURE). */
  maxCachedLength: number;
  /** Omit "Did you mean …?" from validation errors (production: they would reveal the schema). */
  hideSuggestions: boolean;
}

/**
 * Parse, validate and JIT-compile documents, keyed by their text. Mercurius' own caches are not used:
 * they count entries, not bytes, and keep failed documents too, so distinct large documents from anyone
 * could fill the heap (issue 10). Here the cache is bounded by the total size of the cached text, a
 * document is bounded before parsing (length) and while parsing (tokens), and a document that fails
 * parsing or validation is answered and forgotten.
 */
export function createDocumentStore(options: DocumentStoreOptions) {
  const { schema, maxQueryLength, maxTokens, hideSuggestions } = options;
  const rules = [...specifiedRules, ...options.rules];
  const cache = new LRUCache<string, PreparedDocument>({
    maxSize: options.maxCachedLength,
    sizeCalculation: (_value, source) => Math.max(1, source.length),
  });

  return {
    prepare(source: string): Preparation {
      const hit = cache.get(source);
      if (hit) return { ok: true, prepared: hit };
      if (source.length > maxQueryLength) {
        return {
          ok: false,
          errors: [
            new GraphQLError(`The document is too long (at most ${maxQueryLength} characters).`, {
              extensions: { code: 'TOO_MANY_OPERATIONS' },
            }),
          ],
        };
      }
      let document: DocumentNode;
      try {
        document = parse(source, { maxTokens });
      } catch (err) {
        if (isGraphQLErrorLike(err)) return { ok: false, errors: [err] };
        throw err;
      }
      const errors = validate(schema, document, rules, { maxErrors: 20, hideSuggestions });
      if (errors.length > 0) return { ok: false, errors };
      const prepared: PreparedDocument = { document, uses: 0, compiled: new Map() };
      cache.set(source, prepared);
      return { ok: true, prepared };
    },

    /** The compiled operation once the document is used a second time; undefined before (or if it fails). */
    compiled(prepared: PreparedDocument, operationName: string | undefined): CompiledQuery | undefined {
      prepared.uses += 1;
      const key = operationName ?? '';
      const done = prepared.compiled.get(key);
      if (done || prepared.uses < 2) return done;
      const compiled = compileQuery(schema, prepared.document, operationName);
      if (!isCompiledQuery(compiled)) return undefined;
      prepared.compiled.set(key, compiled);
      return compiled;
    },

    /** What the cache holds now, for tests and metrics. */
    stats() {
      return { documents: cache.size, length: cache.calculatedSize };
    },
  };
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;

/** graphql-js' errors, across its CommonJS and ES module builds (see isGraphQLError in error-format). */
function isGraphQLErrorLike(e: unknown): e is GraphQLError {
  return Object.prototype.toString.call(e) === '[object GraphQLError]';
}
