#!/usr/bin/env node
// Checked before anything else loads, so an old Node gets a clear message instead of a syntax error.
import { nodeVersionProblem } from './version.js';

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(problem + '\n');
  process.exit(1);
}
const { runCli } = await import('./cli/cli.commands.js');
process.exitCode = await runCli(process.argv.slice(2));
