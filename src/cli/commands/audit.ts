import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import {
  createAuditCheckpoints,
  verifyAuditCheckpoints,
  type CheckpointCheck,
} from '../../domain/audit/audit-checkpoints.js';
import { verifyAuditChains, type OrganizationChain } from '../../domain/audit/verify-audit-chain.js';
import { createRuntime } from '../../runtime.js';

export interface ChainReport {
  lines: string[];
  /** 0 all intact, 1 a chain is broken, 2 the named organisation does not exist. */
  exitCode: 0 | 1 | 2;
}

/** What `roster audit verify` prints and how it exits. Pure. */
export function chainReport(chains: readonly OrganizationChain[], orgSlug?: string): ChainReport {
  if (chains.length === 0) {
    return orgSlug !== undefined
      ? { lines: [`no organisation with slug "${orgSlug}"`], exitCode: 2 }
      : { lines: ['no organisations'], exitCode: 0 };
  }
  const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;
  let exitCode: 0 | 1 = 0;
  const lines = chains.map(({ slug, result: r }) => {
    if (r.ok) return `ok      ${slug}: ${events(r.checked)} verified`;
    exitCode = 1;
    const event = r.firstBrokenEventId ? `event ${r.firstBrokenEventId}` : 'no event stored there';
    return `BROKEN  ${slug}: ${r.problem} at seq ${r.firstBrokenSeq} (${event}); ${events(r.checked)} verified before it`;
  });
  return { lines, exitCode };
}

/**
 * What `roster audit verify --checkpoints` adds: one line per failing checkpoint (the first named as such)
 * and a summary; exit 1 when any fails. Pure.
 */
export function checkpointReport(checks: readonly CheckpointCheck[], dir: string): ChainReport {
  const failed = checks.filter((c) => !c.ok);
  if (checks.length === 0) return { lines: [`no checkpoints in ${dir}`], exitCode: 1 };
  const lines = failed.map((c, i) => {
    const where = `${c.file}:${c.line}`;
    const what = c.orgSlug !== null ? ` (${c.orgSlug}, seq ${c.seq})` : '';
    return `${i === 0 ? 'FIRST FAILING' : 'FAILING'}  checkpoint ${where}${what}: ${c.problem}${c.detail ? ` — ${c.detail}` : ''}`;
  });
  const n = (k: number) => `${k} checkpoint${k === 1 ? '' : 's'}`;
  lines.push(
    failed.length === 0
      ? `ok      ${n(checks.length)} in ${dir}: every chain still extends them`
      : `BROKEN  ${failed.length} of ${n(checks.length)} in ${dir} fail`,
  );
  return { lines, exitCode: failed.length === 0 ? 0 : 1 };
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('inspect the audit trail');
  audit
    .command('verify')
    .description('recompute the hash chain of the audit trail; exits 1 when any chain is broken')
    .option('--org <slug>', 'one organisation (all when omitted)')
    .option(
      '--checkpoints <dir>',
      'also prove that the chains still extend every signed checkpoint in this folder',
    )
    .action(async (opts: { org?: string; checkpoints?: string }) => {
      const runtime = await createRuntime(loadConfig(), { followRevocations: false });
      try {
        const chains = await verifyAuditChains(runtime.services.db, { orgSlug: opts.org });
        const report = chainReport(chains, opts.org);
        process.stdout.write(`${report.lines.join('\n')}\n`);
        let exitCode: number = report.exitCode;
        if (opts.checkpoints !== undefined) {
          const checks = await verifyAuditCheckpoints(runtime.services.db, opts.checkpoints);
          const r = checkpointReport(checks, opts.checkpoints);
          process.stdout.write(`${r.lines.join('\n')}\n`);
          exitCode = Math.max(exitCode, r.exitCode);
        }
        process.exitCode = exitCode;
      } finally {
        await runtime.close();
      }
    });
  audit
    .command('checkpoint')
    .description("sign each organisation's chain head now and write it to the checkpoint folder and the log")
    .option('--dir <dir>', 'folder to write to (default AUDIT_CHECKPOINT_DIR)')
    .action(async (opts: { dir?: string }) => {
      const config = loadConfig();
      const runtime = await createRuntime(config, { followRevocations: false });
      try {
        const dir = opts.dir ?? config.auditCheckpointDir;
        const r = await createAuditCheckpoints(runtime.services, { dir, now: runtime.services.clock.now() });
        process.stdout.write(
          `${r.written} checkpoint${r.written === 1 ? '' : 's'} signed` +
            (dir ? ` into ${dir}` : ' (log only: no AUDIT_CHECKPOINT_DIR)') +
            (r.unchanged ? `; ${r.unchanged} unchanged since the last one` : '') +
            '\n',
        );
        if (r.refused > 0) {
          process.stderr.write(
            `roster: ${r.refused} organisation(s) not checkpointed: their audit chain does not verify ` +
              `(see the log; run roster audit verify --checkpoints ${dir ?? '<dir>'})\n`,
          );
          process.exitCode = 1;
        }
      } finally {
        await runtime.close();
      }
    });
}
