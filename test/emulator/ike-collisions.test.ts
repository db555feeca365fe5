import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { isEvent } from '../../src/emulator/events.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { ExchangeType, NotifyType } from '../../src/ike/constants.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/*
 * A healthy dual-tunnel Alibaba ⇄ active-active Azure run: both ends dial, collisions are lost,
 * an Azure instance the Alibaba tunnel is not configured for is refused. Those attempts are what
 * the design does while it works; the timeline shows failures only when no tunnel of the
 * connection is up.
 */

const ALIBABA = 'examples/alibaba-azure-dual-tunnel.yaml';

describe('IKE collisions of a working redundant design', () => {
  it('up on the Alibaba seed: the failed attempts after the tunnels are up are marked expected, the earlier ones are not', () => {
    const network = new Network(loadTopologyFile(ALIBABA).topology);
    runUntilSettled(network, 3_600_000);
    const firstUp = network.milestones.find((m) => m.kind === 'tunnel-up')!.timeMs;
    const failed = network.milestones.filter(isEvent('ike-sa-failed'));
    const after = failed.filter((m) => m.timeMs > firstUp);
    assert.deepEqual(new Set(after.map((m) => m.reason.kind)), new Set(['peer-initiated-meanwhile', 'notify-received', 'half-open-timeout']));
    assert.ok(after.every((m) => m.expected), JSON.stringify(after.filter((m) => !m.expected)));
    assert.ok(after.some((m) => m.reason.kind === 'notify-received' && m.reason.exchange === ExchangeType.IKE_SA_INIT && m.reason.notify === NotifyType.NO_PROPOSAL_CHOSEN));
    const before = failed.filter((m) => m.timeMs < firstUp);
    assert.ok(before.length > 0 && before.every((m) => m.reason.kind === 'no-response' && !m.expected), 'the gateway still provisioning: peer not responding is shown');
  });

  it('vpnlab up on the Alibaba seed prints no NO_PROPOSAL_CHOSEN or IKE_AUTH timeout; --verbose keeps them in the log', async () => {
    const run = async (...args: string[]): Promise<string> => {
      let out = '';
      assert.equal(await main(['node', 'vpnlab', 'up', ALIBABA, ...args], { out: (t) => { out += t; }, err: () => {} }), 0);
      return out;
    };
    const timeline = (await run()).split('\n\n== ')[0]!;
    assert.doesNotMatch(timeline, /NO_PROPOSAL_CHOSEN|no IKE_AUTH within|set up an IKE SA with us meanwhile/);
    const log = (await run('--verbose')).split('\nLog:\n')[1]!;
    assert.match(log, /failed: the responder answered NO_PROPOSAL_CHOSEN \(expected: /);
  });

  it('a proposal mismatch with no tunnel up stays on the timeline', async () => {
    let out = '';
    await main(['node', 'vpnlab', 'up', 'examples/broken/alibaba-proposal-mismatch.yaml', '--force'], { out: (t) => { out += t; }, err: () => {} });
    const network = new Network(loadTopologyFile('examples/broken/alibaba-proposal-mismatch.yaml', { keepCheckErrors: true }).topology);
    runUntilSettled(network, 3_600_000);
    const failed = network.milestones.filter(isEvent('ike-sa-failed'));
    assert.ok(failed.some((m) => !m.expected && m.reason.kind !== 'no-response'), JSON.stringify(failed.map((m) => [m.reason.kind, m.expected])));
    assert.match(out.split('\n\n== ')[0]!, /failed: /);
  });
});
