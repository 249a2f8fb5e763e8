/**
 * `npm run dev`: the API with reload on change (port 4000) and the console's Vite server with hot reload
 * (port 5173, forwarding /graphql and /api to the API). Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './console-build.js';

const vitePort = process.env.CONSOLE_DEV_PORT ?? '5173';
// Links in invitation emails open the hot-reloading console unless PUBLIC_URL says otherwise.
const env = { ...process.env, PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${vitePort}` };

const children: ChildProcess[] = [];
function run(name: string, args: string[]): void {
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'inherit', env });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} stopped (${signal ?? code}); stopping the other one too.`);
    stop(code ?? 1);
  });
  children.push(child);
}

let stopping = false;
function stop(code: number): void {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('the API', ['--import', 'tsx', '--watch', 'src/main.ts', 'serve']);
run('the console dev server', [
  join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
  '--config',
  'console/vite.config.ts',
]);
console.log(
  `\nConsole with hot reload: http://localhost:${vitePort}/ (the API behind it: port ${process.env.PORT ?? 4000})\n`,
);
