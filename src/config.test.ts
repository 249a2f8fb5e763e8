import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from './config.js';

describe('database roles and checkpoint folder in the configuration', () => {
  it('keeps one role when DATABASE_MIGRATION_URL is absent (development, embedded database)', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://roster@db:5432/roster' });
    expect(c.databaseMigrationUrl).toBeUndefined();
    expect(c.databaseRuntimeRole).toBeUndefined();
  });

  it("takes the runtime role from DATABASE_URL's user, or DATABASE_RUNTIME_ROLE", () => {
    const split = {
      DATABASE_URL: 'postgres://roster_app:pw@db:5432/roster',
      DATABASE_MIGRATION_URL: 'postgres://roster_owner:pw@db:5432/roster',
    };
    expect(loadConfig(split).databaseRuntimeRole).toBe('roster_app');
    expect(loadConfig({ ...split, DATABASE_RUNTIME_ROLE: 'app' }).databaseRuntimeRole).toBe('app');
  });

  it('refuses a split that is not one: same role twice, no runtime user, no runtime URL', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://a@db/r', DATABASE_MIGRATION_URL: 'postgres://a@db/r' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://db/r', DATABASE_MIGRATION_URL: 'postgres://o@db/r' }),
    ).toThrow(/DATABASE_RUNTIME_ROLE/);
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: 'postgres://o@db/r' })).toThrow(/needs DATABASE_URL/);
  });

  it('writes audit checkpoints into the data folder on the embedded database, the log only on PostgreSQL', () => {
    expect(loadConfig({ ROSTER_DATA_DIR: '/var/lib/roster/' }).auditCheckpointDir).toBe(
      '/var/lib/roster/audit-checkpoints',
    );
    expect(loadConfig({ DATABASE_URL: 'postgres://a@db/r' }).auditCheckpointDir).toBeUndefined();
    expect(
      loadConfig({ DATABASE_URL: 'postgres://a@db/r', AUDIT_CHECKPOINT_DIR: '/srv/cp' }).auditCheckpointDir,
    ).toBe('/srv/cp');
    expect(loadConfig({ AUDIT_CHECKPOINT_DIR: 'none' }).auditCheckpointDir).toBeUndefined();
  });
});

describe('PUBLIC_URL follows HOST and PORT unless set', () => {
  it('defaults to localhost on the listening port for a loopback or wildcard HOST', () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:4000');
    expect(loadConfig({ PORT: '4101' }).publicUrl).toBe('http://localhost:4101');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ HOST: '::', PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('uses any other HOST as it is (an IPv6 address in brackets)', () => {
    expect(loadConfig({ HOST: 'roster.internal', PORT: '4101' }).publicUrl).toBe(
      'http://roster.internal:4101',
    );
    expect(loadConfig({ HOST: 'fd00::5', PORT: '4101' }).publicUrl).toBe('http://[fd00::5]:4101');
  });

  it('keeps an explicit PUBLIC_URL whatever the port, without a trailing slash', () => {
    expect(loadConfig({ PORT: '4101', PUBLIC_URL: 'https://roster.example.org/' }).publicUrl).toBe(
      'https://roster.example.org',
    );
  });
});

describe('log format', () => {
  it('is readable in development and JSON elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});

describe("the README's configuration table", () => {
  it('names every variable the configuration reads, and no other', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = /^## Configuration\n([\s\S]*?)\n## /m.exec(readme)?.[1] ?? '';
    const firstCells = section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|')[1] ?? '');
    const documented = firstCells.flatMap((cell) =>
      [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]),
    );
    expect(documented.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...new Set(configVariables)].sort());
  });
});
