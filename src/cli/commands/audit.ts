import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
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

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('inspect the audit trail');
  audit
    .command('verify')
    .description('recompute the hash chain of the audit trail; exits 1 when any chain is broken')
    .option('--org <slug>', 'one organisation (all when omitted)')
    .action(async (opts: { org?: string }) => {
      const runtime = await createRuntime(loadConfig(), { followRevocations: false });
      try {
        const chains = await verifyAuditChains(runtime.services.db, { orgSlug: opts.org });
        const report = chainReport(chains, opts.org);
        process.stdout.write(`${report.lines.join('\n')}\n`);
        process.exitCode = report.exitCode;
      } finally {
        await runtime.close();
      }
    });
}
