/**
 * The BGP API gives a neighbour's reasons twice: in words for people and typed for programs
 * (GoBGP's disconnect_reason next to its message). Over the real unix socket.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CeaseSubcode } from '../../src/bgp/errors.js';
import { describeReason } from '../../src/bgp/fsm-reason.js';
import type { TransitionReason } from '../../src/bgp/fsm-types.js';
import { call, freshDir, startBgpDaemon } from './api-helpers.js';

describe('the BGP API carries typed reasons', { timeout: 30_000 }, () => {
  const dir = freshDir('api-reasons');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a reset neighbour: lastErrorCause and each history entry\'s cause next to their words', async () => {
    const socket = join(dir, 'bgp.sock');
    const daemon = await startBgpDaemon({ socket, group: undefined, tcp: undefined });
    try {
      const reset = await call({ socketPath: socket }, 'POST', '/api/v1/peers/127.0.0.2/reset');
      assert.equal(reset.status, 200);
      const r = await call({ socketPath: socket }, 'GET', '/api/v1/peers/127.0.0.2');
      assert.equal(r.status, 200);
      const peer = r.body as { lastError: string | null; lastErrorCause: TransitionReason | null; history: { reason: string; cause: TransitionReason }[] };
      assert.deepEqual(peer.lastErrorCause, { kind: 'admin-stop', subcode: CeaseSubcode.AdministrativeReset }, JSON.stringify(peer));
      assert.equal(peer.lastError, describeReason(peer.lastErrorCause!));
      assert.ok(peer.history.length > 0);
      for (const h of peer.history) assert.equal(h.reason, describeReason(h.cause));
      assert.ok(peer.history.some((h) => h.cause.kind === 'admin-stop'));
      const list = await call({ socketPath: socket }, 'GET', '/api/v1/peers');
      assert.equal((list.body as unknown as { lastErrorCause: TransitionReason | null }[])[0]!.lastErrorCause?.kind, 'admin-stop');
    } finally {
      await daemon.stop();
    }
  });
});
