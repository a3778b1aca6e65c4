// `tlslens drift` (engine/cli/commands/drift.ts over tools/drift.ts and tools/config-refs.ts) against openssl s_server
// on 127.0.0.1: a server sending the workspace's chain (leaf and intermediate, RFC 8446 section 4.4.2) matches the
// nginx configuration naming them and its key; a server sending another certificate is reported with the leaf that
// differs and the key that does not match it, at the workspace's lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as driftRun } from '../../engine/cli/commands/drift';
import type { CliIO } from '../../engine/cli/io';
import { opensslServer, PKI, requireOpensslTool } from './peers';

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-drift-'));
  fs.mkdirSync(path.join(dir, 'certs'));
  fs.writeFileSync(path.join(dir, 'certs', 'fullchain.pem'), fs.readFileSync(PKI('leaf.crt'), 'utf8') + fs.readFileSync(PKI('intermediate-ca.crt'), 'utf8'));
  fs.copyFileSync(PKI('leaf.key'), path.join(dir, 'certs', 'privkey.pem'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), 'server {\n  listen 443 ssl;\n  ssl_certificate certs/fullchain.pem;\n  ssl_certificate_key certs/privkey.pem;\n}\n');
  return dir;
}

async function drift(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = { out: (s) => (out += s), err: (s) => (out += s), readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '' };
  const code = await driftRun(args, io);
  return { code, out };
}

test('matching: openssl s_server sends the chain the nginx configuration names, with its key', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const dir = workspace();
  const srv = await opensslServer(['-cert', PKI('leaf.crt'), '-key', PKI('leaf.key'), '-cert_chain', PKI('intermediate-ca.crt')]);
  try {
    const { code, out } = await drift([`127.0.0.1:${srv.port}`, path.join(dir, 'nginx.conf'), '--json']);
    assert.equal(code, 0, out);
    const [r] = JSON.parse(out) as { sameChain: boolean; keyMatchesServed: boolean; findings: unknown[]; served: { subject: string }[] }[];
    assert.equal(r!.sameChain, true);
    assert.equal(r!.keyMatchesServed, true);
    assert.deepEqual(r!.findings, []);
    assert.equal(r!.served.length, 2);
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('not matching: the server sends another certificate; the leaf differs and the workspace key does not belong to it', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const dir = workspace();
  const srv = await opensslServer(['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const { code, out } = await drift([`127.0.0.1:${srv.port}`, path.join(dir, 'certs', 'fullchain.pem'), path.join(dir, 'certs', 'privkey.pem')]);
    assert.equal(code, 1, out);
    assert.match(out, /Served chain: a DIFFERENT certificate/);
    assert.match(out, /Workspace key: does NOT match the served leaf/);
    assert.match(out, /error: the server sends a different certificate: .*fullchain\.pem:1\)/);
    assert.match(out, /warning: the server does not send "C = US, O = TLS Lens Test, CN = TLS Lens Test Intermediate CA"/);
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
