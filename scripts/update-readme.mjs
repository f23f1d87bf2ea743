#!/usr/bin/env node
// Regenerates the README's configuration table from the compiled schema (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { configReferenceMarkdown } from '../dist/server/config/config.docs.js';
import { renderAccessMatrixMarkdown } from '../dist/server/auth/access.matrix.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const next = readme
  .replace(/<!-- config:start -->[\s\S]*?<!-- config:end -->/, () => `<!-- config:start -->\n${configReferenceMarkdown()}\n<!-- config:end -->`)
  .replace(/<!-- access:start -->[\s\S]*?<!-- access:end -->/, () => `<!-- access:start -->\n${renderAccessMatrixMarkdown()}\n<!-- access:end -->`);
writeFileSync(file, next);
console.log(next === readme ? 'README tables already up to date' : 'README tables updated');
