#!/usr/bin/env node
// Regenerates the README's configuration table from the compiled schema (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { configReferenceMarkdown } from '../dist/server/config/config.docs.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const next = readme.replace(/<!-- config:start -->[\s\S]*?<!-- config:end -->/, `<!-- config:start -->\n${configReferenceMarkdown()}\n<!-- config:end -->`);
writeFileSync(file, next);
console.log(next === readme ? 'README configuration table already up to date' : 'README configuration table updated');
