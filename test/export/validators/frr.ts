import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../interop/daemon.js';

/*
 * frr.conf validation by FRR 8.4 itself, two ways:
 *   vtysh --dryrun -f FILE   the integrated configuration read by vtysh's command tree (every
 *                            daemon's commands; what frr-reload.py runs before applying), exit 0
 *                            and no output when every line is a command;
 *   bgpd -C -f FILE          bgpd's own parser (dry run: reads, applies to a scratch instance,
 *                            exits), which logs "No such command on config line N" or
 *                            "% Invalid …" for what it refuses. Without zebra it also logs one
 *                            "sendmsg_nexthop: zclient_send_message() failed" per nexthop to
 *                            register (the network statements): that line alone is expected.
 */

const BGPD = '/usr/lib/frr/bgpd';
/** bgpd's log lines that a dry run without zebra prints for a valid file. */
const NO_ZEBRA = /sendmsg_nexthop: zclient_send_message\(\) failed/;

export async function validateFrr(text: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vpnlab-frr-'));
  try {
    const file = join(dir, 'frr.conf');
    await writeFile(file, text);
    const problems: string[] = [];
    const v = await runCommand('vtysh', ['--dryrun', '-f', file]);
    if (v.exitCode !== 0) problems.push(`vtysh --dryrun exited ${v.exitCode}`);
    for (const l of `${v.stdout}\n${v.stderr}`.split('\n')) if (l.trim() !== '') problems.push(`vtysh: ${l.trim()}`);
    const b = await runCommand(BGPD, ['-C', '-f', file, '-S', '-n', '-p', '0', '-P', '0', '--vty_socket', dir, '-i', join(dir, 'bgpd.pid'),
      '-z', join(dir, 'no-zebra'), '--log', 'stdout']);
    if (b.exitCode !== 0) problems.push(`bgpd -C exited ${b.exitCode}`);
    for (const l of `${b.stdout}\n${b.stderr}`.split('\n')) if (l.trim() !== '' && !NO_ZEBRA.test(l)) problems.push(`bgpd: ${l.trim()}`);
    return problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
