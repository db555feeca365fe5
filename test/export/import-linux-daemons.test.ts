import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { validateFrr } from './validators/frr.js';
import { startSwanctlValidator, type SwanctlValidator } from './validators/strongswan.js';

/*
 * The hand-written gateway files the Linux readers are tested on (test/fixtures/import/linux/
 * branch/) are files the real daemons take: swanctl.conf (with its conf.d include written in
 * place, as strongSwan reads it) loads in a private charon with `swanctl --load-all`, and
 * frr.conf is read by FRR with no error or warning. So the reader is tested on what an engineer's
 * box actually holds, not on a dialect of its own.
 */

const BRANCH = 'test/fixtures/import/linux/branch';

describe('the hand-written Linux fixtures load in strongSwan and FRR', () => {
  let swan: SwanctlValidator | undefined;
  before(async () => {
    swan = await startSwanctlValidator();
  });
  after(async () => {
    await swan?.close();
  });

  it('swanctl --load-all loads the connection and the secret of branch/swanctl.conf with conf.d/secrets.conf', async () => {
    const text = readFileSync(`${BRANCH}/swanctl.conf`, 'utf8')
      .replace('include conf.d/*.conf', readFileSync(`${BRANCH}/conf.d/secrets.conf`, 'utf8'));
    assert.deepEqual(await swan!.validate(text, { connections: ['dc'], secrets: ['ike-dc'] }), []);
  });

  it('FRR reads branch/frr.conf without an error or warning', async () => {
    assert.deepEqual(await validateFrr(readFileSync(`${BRANCH}/frr.conf`, 'utf8')), []);
  });
});
