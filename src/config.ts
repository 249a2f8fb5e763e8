import { z } from 'zod';

/** Whether this process serves HTTP, runs background jobs, or both. */
export const processRoles = ['all', 'api', 'worker'] as const;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().url().optional(),
  /** The schema owner's connection, for migrations; the runtime (DATABASE_URL) then runs as a lesser role. */
  DATABASE_MIGRATION_URL: z.string().url().optional(),
  /** The role granted access by the migrations; DATABASE_URL's user when absent. */
  DATABASE_RUNTIME_ROLE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/, 'a PostgreSQL role name')
    .optional(),
  /** Where signed audit checkpoints are written; `none` for the log only. */
  AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  ROSTER_DATA_DIR: z.string().min(1).default('./data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Defaults to where HOST and PORT listen (see defaultPublicUrl). */
  PUBLIC_URL: z.string().url().optional(),
  ROSTER_ROLE: z.enum(processRoles).default('all'),
  ROSTER_SECRET_KEY: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` (one object a line) or `pretty` (readable); pretty in development, json otherwise. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  GRAPHQL_INTROSPECTION: z.enum(['true', 'false']).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
  ROSTER_ORG_NAME: z.string().min(1).max(200).default('My Organisation'),
  ROSTER_ORG_SLUG: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/)
    .default('default'),
  ROSTER_OWNER_EMAIL: z.string().email().default('owner@example.com'),
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16).max(512).optional(),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/,\s]+)$/, 'true, false, a hop count, or addresses/CIDRs')
    .default('false'),
  /** smtp://user:pass@host:587 or smtps://…:465; the development mailbox is used when absent. */
  SMTP_URL: z.string().url().optional(),
  SMTP_FROM: z.string().min(3).max(320).default('Roster <no-reply@localhost>'),
  SMTP_REPLY_TO: z.string().min(3).max(320).optional(),
  SMTP_TLS_REJECT_UNAUTHORIZED: z.enum(['true', 'false']).default('true'),
});

/** Every environment variable the configuration reads (the README's configuration table lists each). */
export const configVariables: readonly string[] = Object.keys(schema.shape);

export interface Config {
  env: 'development' | 'production' | 'test';
  databaseUrl: string | undefined;
  /**
   * The schema owner's connection (migrations at start-up and by `roster migrate`); undefined means one
   * role does both, as in development and on the embedded database.
   */
  databaseMigrationUrl: string | undefined;
  /** The role the migrations grant the runtime's privileges to (set whenever databaseMigrationUrl is). */
  databaseRuntimeRole: string | undefined;
  databasePoolSize: number;
  /** Folder of signed audit checkpoints (besides the log); undefined: the log only. */
  auditCheckpointDir: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  processRole: (typeof processRoles)[number];
  /** Encrypts private signing keys at rest; a development key is generated in the data folder when absent. */
  secretKey: string | undefined;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  introspection: boolean;
  accessTokenTtlSeconds: number;
  bootstrap: { orgName: string; orgSlug: string; ownerEmail: string };
  /** Bearer token for /metrics; /metrics is open when absent (keep it off the internet at the proxy). */
  metricsToken: string | undefined;
  /** Which proxies may set X-Forwarded-For (Fastify's trustProxy): the client IP feeds throttling and audit. */
  trustProxy: boolean | number | string[];
  /** Outgoing mail; `url` undefined means the development mailbox (dev_mailbox table + log). */
  smtp: {
    url: string | undefined;
    from: string;
    replyTo: string | undefined;
    tlsRejectUnauthorized: boolean;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The only reader of the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.ROSTER_SECRET_KEY) {
    throw new ConfigError('ROSTER_SECRET_KEY (at least 32 characters) is required in production');
  }
  if (e.DATABASE_MIGRATION_URL && !e.DATABASE_URL) {
    throw new ConfigError('DATABASE_MIGRATION_URL needs DATABASE_URL (the runtime role’s connection)');
  }
  const runtimeRole = e.DATABASE_MIGRATION_URL
    ? (e.DATABASE_RUNTIME_ROLE ?? (userOf(e.DATABASE_URL) || undefined))
    : undefined;
  if (e.DATABASE_MIGRATION_URL && !runtimeRole) {
    throw new ConfigError('DATABASE_URL names no user: set DATABASE_RUNTIME_ROLE to the runtime role');
  }
  if (e.DATABASE_MIGRATION_URL && runtimeRole === userOf(e.DATABASE_MIGRATION_URL)) {
    throw new ConfigError(
      'DATABASE_MIGRATION_URL and DATABASE_URL use the same role: the runtime role must not own the schema',
    );
  }
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databaseMigrationUrl: e.DATABASE_MIGRATION_URL,
    databaseRuntimeRole: runtimeRole,
    // On the embedded database the data folder is the natural place; on PostgreSQL there is no local folder
    // every instance shares, so the log (shipped off the machine) is the default sink.
    auditCheckpointDir:
      e.AUDIT_CHECKPOINT_DIR === 'none'
        ? undefined
        : (e.AUDIT_CHECKPOINT_DIR ??
          (e.DATABASE_URL ? undefined : `${e.ROSTER_DATA_DIR.replace(/\/+$/, '')}/audit-checkpoints`)),
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.ROSTER_DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? defaultPublicUrl(e.HOST, e.PORT)).replace(/\/+$/, ''),
    processRole: e.ROSTER_ROLE,
    secretKey: e.ROSTER_SECRET_KEY,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
    introspection: e.GRAPHQL_INTROSPECTION ? e.GRAPHQL_INTROSPECTION === 'true' : e.NODE_ENV !== 'production',
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    bootstrap: { orgName: e.ROSTER_ORG_NAME, orgSlug: e.ROSTER_ORG_SLUG, ownerEmail: e.ROSTER_OWNER_EMAIL },
    metricsToken: e.METRICS_TOKEN,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    smtp: {
      url: e.SMTP_URL,
      from: e.SMTP_FROM,
      replyTo: e.SMTP_REPLY_TO,
      tlsRejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED === 'true',
    },
  };
}

/**
 * The address a person on this machine reaches when PUBLIC_URL is not set: the listening port, and
 * `localhost` for a loopback or wildcard address (what a browser and a copied link expect), else HOST.
 */
export function defaultPublicUrl(host: string, port: number): string {
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(host);
  const name = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

function userOf(url: string | undefined): string {
  return url ? decodeURIComponent(new URL(url).username) : '';
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
