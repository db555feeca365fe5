import assert from 'node:assert/strict';
import type { Prefix } from '../../src/net/address.js';
import { maskOf } from '../../src/net/address.js';
import type { DecodeContext } from '../../src/bgp/context.js';
import { BgpError, ErrorCode, UpdateMessageSubcode, actionStrength } from '../../src/bgp/errors.js';
import { BgpFramer } from '../../src/bgp/framer.js';
import { decodeMessage, encodeMessage } from '../../src/bgp/message.js';
import type { UpdateOutcome } from '../../src/bgp/update.js';

/*
 * What must hold for any byte stream fed through framer and decoder: only BgpErrors are thrown,
 * and every UPDATE outcome is well formed and re-encodes into an UPDATE that decodes cleanly.
 */

function checkPrefix(p: Prefix): void {
  assert.ok(Number.isInteger(p.length) && p.length >= 0 && p.length <= 32, `prefix length ${p.length}`);
  assert.ok(Number.isInteger(p.address) && p.address >= 0 && p.address <= 0xffffffff, `address ${p.address}`);
  assert.equal((p.address & maskOf(p.length)) >>> 0, p.address, 'no host bits');
}

export function checkOutcome(o: UpdateOutcome, ctx: DecodeContext): void {
  assert.ok(['none', 'attribute-discard', 'treat-as-withdraw', 'afisafi-disable'].includes(o.action), `action ${o.action}`);
  let strongest = 0;
  for (const e of o.errors) {
    assert.ok(e instanceof BgpError);
    assert.equal(e.errorCode, ErrorCode.UpdateMessage);
    assert.notEqual(e.action, 'session-reset', 'session resets are thrown, not returned');
    strongest = Math.max(strongest, actionStrength(e.action));
  }
  assert.equal(actionStrength(o.action), strongest, 'the action is the strongest error\'s');
  for (const e of o.nextHopErrors) {
    assert.deepEqual([e.errorCode, e.subcode, e.action], [ErrorCode.UpdateMessage, UpdateMessageSubcode.InvalidNextHopAttribute, 'treat-as-withdraw'], 'next hop errors are semantic ones');
  }
  if (o.action !== 'none' && o.action !== 'attribute-discard') assert.equal(o.announced.length, 0, 'nothing announced under withdraw');
  assert.equal(o.disabled.length > 0, o.action === 'afisafi-disable');
  for (const p of o.withdrawn) checkPrefix(p);
  for (const r of o.announced) {
    checkPrefix(r.prefix);
    assert.ok(r.attributes.origin >= 0 && r.attributes.origin <= 2);
    assert.ok(r.attributes.nextHop !== undefined, 'an announced route has a next hop');
    for (const s of r.attributes.asPath) assert.ok(s.asns.length > 0);
  }
  // The decoded UPDATE, without what was discarded, encodes and decodes again with at most the
  // missing-attribute errors that removing malformed attributes can leave.
  const again = decodeMessage(encodeMessage(o.update, ctx), ctx);
  assert.equal(again.type, 'update');
  const a = again as UpdateOutcome;
  for (const e of a.errors) assert.equal(e.subcode, UpdateMessageSubcode.MissingWellKnownAttribute, `re-decoded: ${e.message}`);
  assert.deepEqual(a.update.withdrawn, o.update.withdrawn);
  assert.deepEqual(a.update.nlri, o.update.nlri);
}

/** Feeds `chunks` through a framer and decodes every message; returns how many decoded. */
export function feed(chunks: readonly Uint8Array[], ctx: DecodeContext): number {
  const framer = new BgpFramer({ maxMessageLength: ctx.maxMessageLength });
  let decoded = 0;
  try {
    for (const chunk of chunks) {
      framer.push(chunk);
      for (let m = framer.next(); m !== undefined; m = framer.next()) {
        let d;
        try {
          d = decodeMessage(m, ctx);
        } catch (e) {
          if (e instanceof BgpError) continue;
          throw e;
        }
        decoded++;
        if (d.type === 'update') checkOutcome(d, ctx);
      }
    }
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    assert.equal(e.errorCode, ErrorCode.MessageHeader, 'the framer fails only on headers');
  }
  return decoded;
}
