import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The folder sink of audit checkpoints: `<dir>/<orgId>.checkpoints`, one compact JWS per line, only ever
 * appended. Keep the folder on storage the database's operators cannot rewrite (another volume, a
 * write-once bucket synced from it, a log collector): that separation is the whole point.
 */
const suffix = '.checkpoints';

function fileOf(dir: string, orgId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error('not an organisation id');
  return join(dir, `${orgId}${suffix}`);
}

/** Appends one line and flushes it to disk before returning. */
export function appendCheckpoint(dir: string, orgId: string, jws: string): void {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(fileOf(dir, orgId), 'a', 0o644);
  try {
    writeSync(fd, `${jws}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The last checkpoint written for an organisation, if any. */
export function lastCheckpointOf(dir: string, orgId: string): string | undefined {
  const file = fileOf(dir, orgId);
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0);
  return lines[lines.length - 1];
}

export interface CheckpointLine {
  file: string;
  line: number;
  jws: string;
}

/** Every checkpoint line in the folder, files in name order. A missing folder is an error (a typo). */
export function readCheckpointFiles(dir: string): CheckpointLine[] {
  const out: CheckpointLine[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (text.trim().length > 0) out.push({ file: name, line: i + 1, jws: text.trim() });
    });
  }
  return out;
}
