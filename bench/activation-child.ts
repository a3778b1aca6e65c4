// One extension activation in a fresh Node process, as the extension host does it: require dist/extension.js (the
// bundle VS Code loads), then call activate() with a fake context, `vscode` being bench/vscode-stub.ts. Prints
// {requireMs, activateMs, cpuMs, firstUseMs} as JSON, firstUseMs being the first hover after activation on a
// one-certificate document: what loads dist/features.js (the rest of the extension and the engine) and decodes.
// Started by bench/cases/editor.ts once per round.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fakeContext, installVscodeStub } from './vscode-stub';

const state = installVscodeStub();
const require = createRequire(import.meta.url);
const file = path.resolve('dist/extension.js');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const ext = require(file) as { activate(ctx: unknown): unknown };
const t1 = performance.now();
const ctx = fakeContext();
ext.activate(ctx);
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
if (!state.hoverProviders.length || ctx.subscriptions.length < 5) throw new Error('activate() did not register the hover provider and commands');
const pem = fs.readFileSync(path.resolve('test/fixtures/pki/ec-p256.crt'), 'utf8');
const doc = { uri: { scheme: 'file', fsPath: '/bench/one.pem', toString: () => 'file:///bench/one.pem' }, version: 1, isClosed: false, languageId: 'pem', getText: () => pem, lineCount: pem.split('\n').length };
const t3 = performance.now();
const hover = state.hoverProviders[0]!.provideHover(doc, { line: 2, character: 0 });
const firstUseMs = performance.now() - t3;
if (!hover?.contents.value.includes('Certificate')) throw new Error('the first hover gave no certificate hover');
console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000, firstUseMs }));
