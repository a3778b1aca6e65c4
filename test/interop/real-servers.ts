// Real servers from Debian's packages for the STARTTLS and proxy tests, each started on 127.0.0.1 on a free port
// with a generated certificate in a temporary directory, and stopped (directory removed) after. A missing
// program fails the test naming its package (scripts/install-test-deps.sh installs them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './peers';

export interface RealServer {
  port: number;
  /** Extra ports (dovecot: pop3). */
  ports: Record<string, number>;
  /** The DER of the certificate it presents. */
  certDer: Uint8Array;
  output(): string;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** The path of a program, or a failure naming the Debian package that provides it. */
export function requireProgram(program: string, pkg: string, dirs: string[] = []): string {
  for (const d of dirs) {
    const p = path.join(d, program);
    if (fs.existsSync(p)) return p;
  }
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  throw new Error(`${program} is missing: install the Debian package ${pkg} (bash scripts/install-test-deps.sh)`);
}

/** A temporary directory with a fresh P-256 certificate for localhost and 127.0.0.1 (cert.pem, key.pem). */
export function certDir(prefix: string): { dir: string; cert: string; key: string; certDer: Uint8Array } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tlslens-${prefix}-`));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=localhost/O=TLS Lens ${prefix} test`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  const pem = fs.readFileSync(cert, 'utf8');
  return { dir, cert, key, certDer: new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')) };
}

function started(proc: ChildProcess, ready: (out: string) => boolean, what: string, ms = 20_000): Promise<() => string> {
  let out = '';
  proc.stdout?.on('data', (b) => (out += b));
  proc.stderr?.on('data', (b) => (out += b));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`${what} did not start within ${ms} ms:\n${out.slice(-3000)}`));
    }, ms);
    const poll = setInterval(() => {
      if (ready(out)) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(() => out);
      }
    }, 50);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${out.slice(-3000)}`));
    });
  });
}

function stopper(proc: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

/** Runs as the given system user when we are root (postgres refuses to run as root). */
function asUser(user: string, cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
}

/** A PostgreSQL cluster made by initdb, served by `postgres` with ssl=on on 127.0.0.1 (socket in the temp dir). */
export async function startPostgres(): Promise<RealServer> {
  const binDirs = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : [];
  const initdb = requireProgram('initdb', 'postgresql', binDirs);
  const postgres = requireProgram('postgres', 'postgresql', binDirs);
  const c = certDir('postgres');
  const data = path.join(c.dir, 'data');
  if (isRoot) spawnSync('chown', ['-R', 'postgres:', c.dir]);
  fs.chmodSync(c.key, 0o600);
  const [icmd, iargs] = asUser('postgres', initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const r = spawnSync(icmd, iargs, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}${r.stdout}`);
  const port = await freePort();
  const [cmd, args] = asUser('postgres', postgres, ['-D', data, '-k', c.dir, '-h', '127.0.0.1', '-p', String(port), '-c', 'ssl=on', '-c', `ssl_cert_file=${c.cert}`, '-c', `ssl_key_file=${c.key}`, '-c', 'fsync=off', '-c', 'logging_collector=off']);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = await started(proc, (o) => /ready to accept connections/.test(o), 'postgres');
  await waitListening(port);
  return { port, ports: {}, certDer: c.certDer, output, stop: stopper(proc, c.dir) };
}

/**
 * Dovecot in the foreground (-F) with its own configuration, STARTTLS with our certificate on 127.0.0.1: IMAP and
 * POP3, or LMTP (dovecot-lmtpd) and ManageSieve (dovecot-managesieved).
 */
export async function startDovecot(which: 'imap+pop3' | 'lmtp+sieve+submission' = 'imap+pop3'): Promise<RealServer> {
  const dovecot = requireProgram('dovecot', 'dovecot-imapd');
  const needs: [string, string][] = which === 'imap+pop3' ? [['pop3-login', 'dovecot-pop3d']] : [['lmtp', 'dovecot-lmtpd'], ['managesieve-login', 'dovecot-managesieved'], ['submission-login', 'dovecot-submissiond']];
  for (const [bin, pkg] of needs) if (!fs.existsSync(`/usr/lib/dovecot/${bin}`)) throw new Error(`dovecot ${bin} is missing: install the Debian package ${pkg}`);
  const c = certDir('dovecot');
  const imap = await freePort();
  const pop3 = await freePort();
  const lmtp = await freePort();
  const sieve = await freePort();
  const submission = await freePort();
  const user = os.userInfo();
  for (const d of ['run', 'mail', 'state']) fs.mkdirSync(path.join(c.dir, d));
  // Run directories must be reachable by dovecot's unprivileged login processes.
  fs.chmodSync(c.dir, 0o755);
  const conf = path.join(c.dir, 'dovecot.conf');
  fs.writeFileSync(conf, [
    `base_dir = ${c.dir}/run`,
    `state_dir = ${c.dir}/state`,
    'log_path = /dev/stderr',
    `protocols = ${which === 'imap+pop3' ? 'imap pop3' : 'lmtp sieve submission'}`,
    // Submission (RFC 6409) relays what it accepts; nothing is sent in the tests, but the setting must name a host.
    'hostname = localhost', 'submission_relay_host = 127.0.0.1', 'submission_relay_port = 9',
    'listen = 127.0.0.1',
    'ssl = yes',
    `ssl_cert = <${c.cert}`,
    `ssl_key = <${c.key}`,
    ...(fs.existsSync('/usr/share/dovecot/dh.pem') ? ['ssl_dh = </usr/share/dovecot/dh.pem'] : []),
    'disable_plaintext_auth = yes',
    'auth_mechanisms = plain',
    ...(isRoot ? [] : [`default_internal_user = ${user.username}`, `default_login_user = ${user.username}`]),
    `mail_location = maildir:${c.dir}/mail/%u`,
    'passdb {', '  driver = static', '  args = password=secret', '}',
    'userdb {', '  driver = static', `  args = uid=${user.uid} gid=${user.gid} home=${c.dir}/mail/%u`, '}',
    ...(which === 'imap+pop3' ? [
      'service imap-login {', `  inet_listener imap {`, `    port = ${imap}`, '  }', '  inet_listener imaps {', '    port = 0', '  }', '}',
      'service pop3-login {', `  inet_listener pop3 {`, `    port = ${pop3}`, '  }', '  inet_listener pop3s {', '    port = 0', '  }', '}',
    ] : [
      'service lmtp {', '  unix_listener lmtp {', '    mode = 0600', '  }', '  inet_listener lmtp {', '    address = 127.0.0.1', `    port = ${lmtp}`, '  }', '}',
      'service managesieve-login {', '  inet_listener sieve {', `    port = ${sieve}`, '  }', '}',
      'service submission-login {', '  inet_listener submission {', `    port = ${submission}`, '  }', '}',
    ]),
    '',
  ].join('\n'));
  const proc = spawn(dovecot, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = await started(proc, (o) => /starting up/.test(o), 'dovecot');
  const ports: Record<string, number> = which === 'imap+pop3' ? { imap, pop3 } : { lmtp, sieve, submission };
  for (const p of Object.values(ports)) await waitListening(p);
  return { port: Object.values(ports)[0]!, ports, certDer: c.certDer, output, stop: stopper(proc, c.dir) };
}

/** tinyproxy in the foreground (-d) with Basic authentication, CONNECT to any port. */
export async function startTinyproxy(auth?: { user: string; pass: string }): Promise<RealServer> {
  const tinyproxy = requireProgram('tinyproxy', 'tinyproxy');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-tinyproxy-'));
  const port = await freePort();
  const conf = path.join(dir, 'tinyproxy.conf');
  fs.writeFileSync(conf, [
    ...(isRoot ? ['User nobody', 'Group nogroup'] : []),
    `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 30', 'LogLevel Info', 'MaxClients 20', 'Allow 127.0.0.1',
    // With no ConnectPort line tinyproxy allows CONNECT to every port (the scripted targets use free ports).
    ...(auth ? [`BasicAuth ${auth.user} ${auth.pass}`] : []),
    '',
  ].join('\n'));
  const { proc, output } = await spawnListening(tinyproxy, ['-d', '-c', conf], port);
  return { port, ports: {}, certDer: new Uint8Array(0), output, stop: stopper(proc, dir) };
}

/** microsocks, a SOCKS5 server, with user and password (RFC 1929) when given. */
export async function startMicrosocks(auth?: { user: string; pass: string }): Promise<RealServer> {
  const microsocks = requireProgram('microsocks', 'microsocks');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-microsocks-'));
  const port = await freePort();
  const { proc, output } = await spawnListening(microsocks, ['-i', '127.0.0.1', '-p', String(port), ...(auth ? ['-u', auth.user, '-P', auth.pass] : [])], port);
  return { port, ports: {}, certDer: new Uint8Array(0), output, stop: stopper(proc, dir) };
}

/** Starts `program args` and waits until it accepts TCP connections on `port`; its output is in the error otherwise. */
async function spawnListening(program: string, args: string[], port: number): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  let out = '';
  proc.stdout?.on('data', (b) => (out += b));
  proc.stderr?.on('data', (b) => (out += b));
  proc.once('exit', () => (exited = true));
  await waitListening(port, () => exited).catch((e: Error) => {
    throw new Error(`${e.message}:\n${out.slice(-2000)}`);
  });
  return { proc, output: () => out };
}

/** Resolves once something accepts TCP connections on the port. */
async function waitListening(port: number, gone: () => boolean = () => false, ms = 15_000): Promise<void> {
  const net = await import('node:net');
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (gone()) throw new Error(`the server for port ${port} exited before listening`);
    if (Date.now() - t0 > ms) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Gives the temporary directory to a system user when we are root (servers that drop privileges read from it). */
function handTo(user: string, dir: string): void {
  if (isRoot) spawnSync('chown', ['-R', `${user}:`, dir]);
}

/** slapd (OpenLDAP) with no database: the StartTLS extended operation is all the test needs (RFC 4511 section 4.14). */
export async function startSlapd(): Promise<RealServer> {
  const slapd = requireProgram('slapd', 'slapd', ['/usr/sbin']);
  const c = certDir('slapd');
  const port = await freePort();
  const conf = path.join(c.dir, 'slapd.conf');
  fs.writeFileSync(conf, [`pidfile ${c.dir}/slapd.pid`, `argsfile ${c.dir}/slapd.args`, `TLSCertificateFile ${c.cert}`, `TLSCertificateKeyFile ${c.key}`, ''].join('\n'));
  // -d: stay in the foreground (with the "stats" log level).
  const proc = spawn(slapd, ['-d', '256', '-h', `ldap://127.0.0.1:${port}/`, '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  // "slapd starting" comes just before its listener accepts: wait for the port too.
  const output = await started(proc, (o) => /slapd starting/.test(o), 'slapd');
  await waitListening(port);
  return { port, ports: {}, certDer: c.certDer, output, stop: stopper(proc, c.dir) };
}

/** vsftpd in the foreground with ssl_enable: AUTH TLS (RFC 4217). */
export async function startVsftpd(): Promise<RealServer> {
  const vsftpd = requireProgram('vsftpd', 'vsftpd', ['/usr/sbin']);
  const c = certDir('vsftpd');
  const port = await freePort();
  fs.mkdirSync(path.join(c.dir, 'empty'));
  const conf = path.join(c.dir, 'vsftpd.conf');
  fs.writeFileSync(conf, [
    'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
    'anonymous_enable=NO', 'local_enable=YES', 'ssl_enable=YES', `rsa_cert_file=${c.cert}`, `rsa_private_key_file=${c.key}`, 'ssl_ciphers=HIGH',
    `secure_chroot_dir=${c.dir}/empty`, 'seccomp_sandbox=NO', 'xferlog_enable=NO',
    ...(isRoot ? ['nopriv_user=nobody'] : ['run_as_launching_user=YES']), '',
  ].join('\n'));
  const { proc, output } = await spawnListening(vsftpd, [conf], port);
  return { port, ports: {}, certDer: c.certDer, output, stop: stopper(proc, c.dir) };
}

/** MariaDB: a data directory from mariadb-install-db, then mariadbd with --ssl-cert/--ssl-key on 127.0.0.1. */
export async function startMariadb(): Promise<RealServer> {
  const install = requireProgram('mariadb-install-db', 'mariadb-server');
  const mariadbd = requireProgram('mariadbd', 'mariadb-server', ['/usr/sbin']);
  const c = certDir('mariadb');
  const data = path.join(c.dir, 'data');
  handTo('mysql', c.dir);
  const user = isRoot ? ['--user=mysql'] : [];
  const r = spawnSync(install, ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mariadb-install-db failed: ${r.stderr}${r.stdout}`);
  const port = await freePort();
  const proc = spawn(mariadbd, ['--no-defaults', `--datadir=${data}`, `--socket=${c.dir}/sock`, `--port=${port}`, '--bind-address=127.0.0.1', `--ssl-cert=${c.cert}`, `--ssl-key=${c.key}`, ...user, '--skip-log-bin', '--innodb-buffer-pool-size=16M'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = await started(proc, (o) => /ready for connections/.test(o), 'mariadbd', 60_000);
  await waitListening(port);
  return { port, ports: {}, certDer: c.certDer, output, stop: stopper(proc, c.dir) };
}

/** Prosody in the foreground (-F), c2s and s2s on 127.0.0.1 with mod_tls: XMPP STARTTLS (RFC 6120 section 5.4). */
export async function startProsody(): Promise<RealServer> {
  const prosody = requireProgram('prosody', 'prosody');
  const c = certDir('prosody');
  const c2s = await freePort();
  const s2s = await freePort();
  fs.mkdirSync(path.join(c.dir, 'data'));
  const conf = path.join(c.dir, 'prosody.cfg.lua');
  fs.writeFileSync(conf, [
    `pidfile = "${c.dir}/prosody.pid"`, `data_path = "${c.dir}/data"`, 'log = { { levels = { min = "info" }, to = "console" } }',
    'interfaces = { "127.0.0.1" }', `c2s_ports = { ${c2s} }`, `s2s_ports = { ${s2s} }`, 'c2s_direct_tls_ports = {}', 's2s_direct_tls_ports = {}',
    'http_ports = {}', 'https_ports = {}', 'component_ports = {}',
    'modules_enabled = { "tls", "saslauth", "disco", "dialback" }', 'modules_disabled = { "posix" }',
    `ssl = { certificate = "${c.cert}", key = "${c.key}" }`, 'VirtualHost "localhost"', '',
  ].join('\n'));
  handTo('prosody', c.dir);
  const [cmd, args] = asUser('prosody', prosody, ['--config', conf, '-F']);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = await started(proc, (o) => new RegExp(`Activated service 's2s' on \\[127\\.0\\.0\\.1\\]:${s2s}`).test(o) && new RegExp(`'c2s' on \\[127\\.0\\.0\\.1\\]:${c2s}`).test(o), 'prosody');
  return { port: c2s, ports: { c2s, s2s }, certDer: c.certDer, output, stop: stopper(proc, c.dir) };
}

/** InspIRCd 3 in the foreground with m_ssl_gnutls and m_starttls: IRC STARTTLS (IRCv3 tls, numeric 670). */
export async function startInspircd(): Promise<RealServer> {
  const inspircd = requireProgram('inspircd', 'inspircd', ['/usr/sbin']);
  const c = certDir('inspircd');
  const port = await freePort();
  const conf = path.join(c.dir, 'inspircd.conf');
  fs.writeFileSync(path.join(c.dir, 'motd.txt'), 'TLS Lens test\n');
  fs.writeFileSync(conf, [
    '<server name="irc.test.example" description="TLS Lens test" network="TLSLensTest">',
    '<admin name="Test" nick="test" email="test@example.com">',
    `<bind address="127.0.0.1" port="${port}" type="clients">`,
    '<connect allow="*" resolvehostnames="no" timeout="60" pingfreq="120" hardsendq="1M" softsendq="8192" recvq="8K" localmax="10" globalmax="10">',
    `<files motd="${c.dir}/motd.txt">`, `<pid file="${c.dir}/inspircd.pid">`,
    '<module name="ssl_gnutls">',
    `<sslprofile name="main" provider="gnutls" certfile="${c.cert}" keyfile="${c.key}" dhfile="" hash="sha256">`,
    '<module name="starttls">', '<starttls provider="main">', '',
  ].join('\n'));
  const proc = spawn(inspircd, ['--nofork', `--config=${conf}`, ...(isRoot ? ['--runasroot'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = await started(proc, (o) => /is now running as/.test(o), 'inspircd');
  await waitListening(port);
  return { port, ports: {}, certDer: c.certDer, output, stop: stopper(proc, c.dir) };
}
