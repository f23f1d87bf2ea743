#!/usr/bin/env node
// The static checks of `npm test` (lint, formatting, types) run side by side instead of one
// after the other: each is mostly one process on one core, and the suite has a 15-minute budget
// on 2 cores. Each check's output is printed when it ends; any failure fails the whole.
import { spawn } from 'node:child_process';

const CHECKS = ['lint', 'format:check', 'typecheck'];

function run(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => out.push(c));
    child.on('close', (code) => {
      process.stdout.write(`\n> npm run ${script}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`}\n`);
      process.stdout.write(Buffer.concat(out));
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(CHECKS.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
