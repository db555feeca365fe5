/**
 * docs/security.md, "Running with least privilege": both daemons run as an unprivileged user with
 * CAP_NET_BIND_SERVICE alone (util-linux setpriv, as the page shows) and bind their ports below
 * 1024 on loopback; without the capability they stop with a clear permission error.
 *
 * The user is `nobody` (65534). A fresh clone usually sits in a 0700 temporary folder that nobody
 * cannot enter, so the test copies what `vpnlab` needs at run time (bin, dist/src, package.json,
 * the runtime dependencies) into a folder of its own that nobody can read.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const NOBODY = 65534;
const CAP_NET_BIND_SERVICE = 1n << 10n;
const BGP_ADDRESS = '127.0.212.1';
const IKE_ADDRESS = '127.0.212.2';

let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vpnlab-leastpriv-'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const part of ['bin', 'dist/src', 'package.json', ...Object.keys(pkg.dependencies).map((d) => `node_modules/${d}`)]) {
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'bgp.yaml'), `
localAsn: 65023
routerId: 192.168.37.1
listen: { address: ${BGP_ADDRESS} }
api: false
neighbors:
  - { name: peer, address: 127.0.212.9, asn: 65010, mode: passive }
`);
  writeFileSync(join(dir, 'ike.yaml'), `
address: ${IKE_ADDRESS}
api: false
lan: { gateway: 10.12.0.1/24 }
connections:
  - name: peer
    remote: 127.0.212.9
    psk: "a key nobody will read in the output"
    mode: respond
    proposals: [aes256-sha256-modp2048]
    children: [{ name: net, localTs: [10.12.0.0/24], remoteTs: [10.1.0.0/16], espProposals: [aes256-sha256] }]
`);
  chmodSync(join(dir, 'bgp.yaml'), 0o644);
  chmodSync(join(dir, 'ike.yaml'), 0o644);
});

after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function runAsNobody(withCapability: boolean, ...args: string[]): Run {
  const caps = withCapability ? ['--inh-caps', '+net_bind_service', '--ambient-caps', '+net_bind_service'] : [];
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...caps,
    process.execPath, join(dir, 'bin/vpnlab.js'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function waitForOutput(run: Run, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null) assert.fail(`the daemon exited (${run.child.exitCode}): ${run.output()}`);
    if (Date.now() > deadline) assert.fail(`no ${pattern} within ${timeoutMs} ms: ${run.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The real and effective user and the effective capabilities of a running process. */
function credentials(pid: number): { uid: number; euid: number; capEff: bigint } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status)!;
  const capEff = /^CapEff:\s+([0-9a-f]+)/m.exec(status)!;
  return { uid: Number(uids[1]), euid: Number(uids[2]), capEff: BigInt(`0x${capEff[1]}`) };
}

async function stop(run: Run): Promise<void> {
  if (run.child.exitCode === null && run.child.pid !== undefined) run.child.kill('SIGTERM');
  await run.exited;
}

describe('the daemons as nobody with CAP_NET_BIND_SERVICE only (docs/security.md)', { timeout: 60_000 }, () => {
  it('vpnlab bgp run binds TCP 179 and holds no other capability', async () => {
    const run = runAsNobody(true, 'bgp', 'run', join(dir, 'bgp.yaml'));
    try {
      await waitForOutput(run, new RegExp(`listening for BGP on ${BGP_ADDRESS.replaceAll('.', '\\.')}:179`));
      assert.deepEqual(credentials(run.child.pid!), { uid: NOBODY, euid: NOBODY, capEff: CAP_NET_BIND_SERVICE });
    } finally {
      await stop(run);
    }
  });

  it('vpnlab ike run binds UDP 500 and 4500 and holds no other capability', async () => {
    const run = runAsNobody(true, 'ike', 'run', join(dir, 'ike.yaml'));
    try {
      await waitForOutput(run, new RegExp(`IKE on ${IKE_ADDRESS.replaceAll('.', '\\.')}:500 and :4500`));
      // The ports are bound once the daemon has logged and is still running a moment later.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(run.child.exitCode, null, run.output());
      assert.deepEqual(credentials(run.child.pid!), { uid: NOBODY, euid: NOBODY, capEff: CAP_NET_BIND_SERVICE });
      assert.doesNotMatch(run.output(), /nobody will read/);
    } finally {
      await stop(run);
    }
  });

  for (const daemon of ['bgp', 'ike']) {
    it(`without the capability, ${daemon} run stops with a permission error, not a stack trace`, async () => {
      const run = runAsNobody(false, daemon, 'run', join(dir, `${daemon}.yaml`));
      assert.notEqual(await run.exited, 0);
      assert.match(run.output(), /ports below 1024 need CAP_NET_BIND_SERVICE/);
      assert.doesNotMatch(run.output(), /^\s+at /m);
    });
  }
});
