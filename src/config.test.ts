import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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
