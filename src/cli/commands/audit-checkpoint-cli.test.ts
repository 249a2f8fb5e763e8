import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `roster audit checkpoint` and `roster audit verify --checkpoints` as an operator runs them, on an embedded
// data folder of the test's own (the same on both test databases: DATABASE_URL is unset for the child).

const main = join(import.meta.dirname, '..', '..', 'main.ts');
let dir: string;
let env: NodeJS.ProcessEnv;

function roster(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roster-cp-cli-'));
  env = { ...process.env, ROSTER_DATA_DIR: dir, NODE_ENV: 'development', LOG_LEVEL: 'silent' };
  for (const k of ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'TEST_DATABASE_URL', 'AUDIT_CHECKPOINT_DIR'])
    delete env[k];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('roster audit checkpoint / verify --checkpoints', () => {
  it('signs the heads into <data>/audit-checkpoints, verifies them, and fails on a tampered line', async () => {
    const b = await roster([
      'bootstrap',
      '--name',
      'Alpha',
      '--slug',
      'alpha',
      '--owner-email',
      'o@alpha.test',
    ]);
    expect(b.code).toBe(0);
    const cp = await roster(['audit', 'checkpoint']);
    expect(cp.err).toBe('');
    const folder = join(dir, 'audit-checkpoints');
    expect(cp.out).toBe(`1 checkpoint signed into ${folder}\n`);

    const ok = await roster(['audit', 'verify', '--checkpoints', folder]);
    expect(ok.out).toBe(
      `ok      alpha: 2 events verified\nok      1 checkpoint in ${folder}: every chain still extends them\n`,
    );
    expect(ok.code).toBe(0);

    const [file] = readdirSync(folder);
    const path = join(folder, file!);
    const [h, p, s] = readFileSync(path, 'utf8').trim().split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, seq: 1 })).toString('base64url');
    writeFileSync(path, `${h}.${forged}.${s}\n`);
    const bad = await roster(['audit', 'verify', '--checkpoints', folder]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`FIRST FAILING  checkpoint ${file}:1: bad_signature`);
  }, 180_000);
});
