// Runs a node script inside a private network namespace (`unshare -n`, loopback brought up), for peers that
// cannot be told which address to listen on: gnutls-serv has no bind option and listens on 0.0.0.0 and ::,
// so it runs only where the sole interface is a private `lo`, together with our side of the connection.
// A missing tool or a namespace that cannot be made is an error naming it, never a silent skip.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The first `name` on PATH (also /usr/sbin and /sbin, where `ip` lives), or undefined. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Throws an error naming every tool of `tools` that is not installed (and where it comes from). */
export function requireTools(tools: Record<string, string>): void {
  const missing = Object.entries(tools).filter(([t]) => !which(t)).map(([t, pkg]) => `'${t}' (Debian package ${pkg})`);
  if (missing.length) throw new Error(`missing tool ${missing.join(', ')}: install it (bash scripts/install-test-deps.sh)`);
}

let checked: string | undefined | null = null;

/** Checks once that `unshare -n` works here (it needs root or CAP_SYS_ADMIN); throws why it does not. */
export function requireNetns(): void {
  requireTools({ unshare: 'util-linux', ip: 'iproute2' });
  if (checked === null) {
    const r = spawnSync(which('unshare')!, ['-n', which('ip')!, 'link', 'set', 'lo', 'up'], { encoding: 'utf8', timeout: 10_000 });
    checked = r.status === 0 ? undefined : `unshare -n (private network namespace) does not work here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
  }
  if (checked) throw new Error(checked);
}

export interface NetnsRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `node script` inside a fresh network namespace whose only interface is `lo` (up, 127.0.0.1 and ::1): nothing
 * it or its children open can be reached from, or reach, any other network. `env` is added to this process's
 * environment (less node:test's own variables, so a test file re-run this way is not taken for a test child).
 */
export function runNodeInNetns(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<NetnsRun> {
  requireNetns();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of Object.keys(childEnv)) if (k.startsWith('NODE_TEST')) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const proc = spawn(which('unshare')!, ['-n', '--', 'sh', '-c', `"${which('ip')!}" link set lo up && exec "$0" "$@"`, process.execPath, '--enable-source-maps', script], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the script in the network namespace did not finish within ${timeoutMs} ms; stdout:\n${stdout.slice(-3000)}\nstderr:\n${stderr.slice(-3000)}`));
    }, timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run unshare: ${e.message}`));
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
