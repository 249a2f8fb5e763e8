/** `npm start` runs this first: build the console when dist/console is missing or stale. */
import { ensureConsoleBuilt } from './console-build.js';

try {
  await ensureConsoleBuilt();
} catch (err) {
  console.error(`The console could not be built: ${(err as Error).message}. The API starts anyway.`);
}
