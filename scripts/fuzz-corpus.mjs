#!/usr/bin/env node
// Regenerates test/fuzz/corpus/ (the fuzz targets' seeds) from real sessions between our engine and OpenSSL on
// 127.0.0.1 and from the PKI fixtures: builds the test bundles, then runs test/fuzz/make-corpus.ts. Needs openssl.
//   node scripts/fuzz-corpus.mjs
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, ['out/test/fuzz/make-corpus.mjs'], { cwd: root, stdio: 'inherit' });
