// `npm run bench`: timings that do not belong in tests. Each figure is the median of several runs, quoted
// beside a peer (openssl) measured in the same run, since absolute times on shared machines are noisy.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanPem } from '../engine/pem/blocks';
import { decodePemBlock, decodeText } from '../engine/x509/decode';
import { checkKey } from '../engine/tools/check-key';
import { loadSystemStore, systemBundlePath } from '../engine/x509/verify/trust-store';
import { hoverMarkdown } from '../extension/hover-markdown';
import { benchTls } from './tls';
import { benchTls12 } from './tls12';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(fn: () => void, runs = 7): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

const fixtures = path.resolve('test/fixtures/pki');
const certs = ['rsa2048.crt', 'ec-p256.crt', 'leaf.crt', 'ed25519.crt'].map((f) => fs.readFileSync(path.join(fixtures, f), 'utf8'));
const bundle = Array.from({ length: 1000 }, (_, i) => certs[i % certs.length]).join('');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-bench-'));
const bundleFile = path.join(dir, 'bundle.pem');
fs.writeFileSync(bundleFile, bundle);

console.log(`Bundle: 1,000 certificates, ${(bundle.length / 1e6).toFixed(2)} MB`);

// Hover: what the editor does for one hover after an edit (scan, decode the hovered block, build Markdown),
// and warm (decode cached by block text: scan + Markdown).
const blocks = scanPem(bundle).blocks;
const middle = blocks[500]!;
const cached = decodePemBlock(middle);
const scan = time(() => scanPem(bundle));
const hoverCold = time(() => hoverMarkdown(decodePemBlock(scanPem(bundle).blocks[500]!), 'file:///bundle.pem'));
const hoverWarm = time(() => {
  scanPem(bundle);
  hoverMarkdown(cached, 'file:///bundle.pem');
});
const hoverCached = time(() => hoverMarkdown(cached, 'file:///bundle.pem'), 50);
console.log(`hover, 1,000-certificate bundle: after an edit ${hoverCold.toFixed(1)} ms (scan ${scan.toFixed(1)} ms), warm ${hoverWarm.toFixed(1)} ms, same version ${hoverCached.toFixed(2)} ms  (goal: under 100 ms warm)`);

// Full decode (diagnostics, `tlslens decode`) against openssl printing the same certificates.
const ours = time(() => decodeText(bundle), 3);
const theirs = time(() => {
  execFileSync('sh', ['-c', `openssl crl2pkcs7 -nocrl -certfile ${bundleFile} | openssl pkcs7 -print_certs -text -noout > /dev/null`]);
}, 3);
console.log(`decode all 1,000: ours ${ours.toFixed(0)} ms, openssl crl2pkcs7|pkcs7 -print_certs -text ${theirs.toFixed(0)} ms, ratio ours/openssl ${(ours / theirs).toFixed(2)}`);

// Check Key against openssl's two commands for the same question.
const cert = { name: 'rsa2048.crt', bytes: new Uint8Array(fs.readFileSync(path.join(fixtures, 'rsa2048.crt'))) };
const key = { name: 'rsa2048.key', bytes: new Uint8Array(fs.readFileSync(path.join(fixtures, 'rsa2048.key'))) };
const ck = time(() => checkKey(cert, key), 9);
const ckOpenssl = time(() => {
  execFileSync('openssl', ['x509', '-noout', '-pubkey', '-in', path.join(fixtures, 'rsa2048.crt')]);
  execFileSync('openssl', ['pkey', '-pubout', '-in', path.join(fixtures, 'rsa2048.key')]);
}, 9);
console.log(`check-key RSA 2048: ours ${ck.toFixed(1)} ms in-process (with a signature proof), openssl x509 -pubkey + pkey -pubout ${ckOpenssl.toFixed(1)} ms as processes, ratio ${(ck / ckOpenssl).toFixed(2)}`);
fs.rmSync(dir, { recursive: true, force: true });

// The system trust store as Connect to Host, connect and verify load it (once per process): every anchor of the
// Debian bundle decoded into the verifier's form, against openssl parsing the same bundle into X509 objects.
const caBundle = systemBundlePath();
if (caBundle) {
  const label = caBundle === '/etc/ssl/certs/ca-certificates.crt' ? 'Debian CA bundle' : `CA bundle ${caBundle}`;
  const anchors = loadSystemStore().certs.length;
  const load = time(() => loadSystemStore(), 5);
  const loadOpenssl = time(() => {
    execFileSync('sh', ['-c', `openssl crl2pkcs7 -nocrl -certfile ${caBundle} | openssl pkcs7 -print_certs -noout > /dev/null`]);
  }, 5);
  console.log(`${label}: load and decode ${anchors} anchors in ${load.toFixed(1)} ms (in-process), openssl crl2pkcs7|pkcs7 -print_certs -noout ${loadOpenssl.toFixed(1)} ms (processes), ratio ours/openssl ${(load / loadOpenssl).toFixed(2)}`);
} else console.log('CA bundle: none installed (apt-get install ca-certificates), skipped');

await benchTls();
await benchTls12();
