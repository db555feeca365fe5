import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CapabilityCode, GracefulRestartFlag, capabilityBytes } from '../../src/bgp/capabilities.js';
import { ErrorCode, OpenMessageSubcode } from '../../src/bgp/errors.js';
import { decodeMessage, encodeMessage, messageEncodedLength, type BgpMessage } from '../../src/bgp/message.js';
import { makeOpen, openAsn, openCapabilities, unsupportedCapabilityError, type OpenMessage } from '../../src/bgp/open.js';
import { AS_TRANS } from '../../src/bgp/types.js';
import { hex, roundTrip } from '../helpers/round-trip.js';
import { EBGP4, deepPlain, message, openMessage, throwsBgp } from './codec-helpers.js';

const encode = (m: OpenMessage) => encodeMessage(m, EBGP4);
const decode = (b: Uint8Array) => decodeMessage(b, EBGP4) as OpenMessage;
const length = (m: BgpMessage) => messageEncodedLength(m, EBGP4);

/*
 * An OPEN laid out as FRR sends one for an IPv4 unicast eBGP neighbour from AS 4200000001: each
 * capability in its own Capabilities optional parameter. Built from RFC 4271 §4.2 (OPEN),
 * RFC 5492 §4 (optional parameter 2), and the RFCs of each capability cited below.
 */
const FRR_OPEN = hex(`
  ffffffffffffffffffffffffffffffff  // marker (RFC 4271 §4.1)
  004f                              // length 79
  01                                // type 1 OPEN
  04                                // version 4
  5ba0                              // My AS 23456 = AS_TRANS: the real AS needs 4 octets (RFC 6793 §4.1)
  00b4                              // Hold Time 180 s
  0a000001                          // BGP Identifier 10.0.0.1
  32                                // Opt Parm Len 50
  02 06 | 01 04 | 0001 00 01        // Capabilities: Multiprotocol, AFI 1, reserved, SAFI 1 (RFC 4760 §8)
  02 02 | 80 00                     // Capabilities: Route Refresh, old Cisco code 128
  02 02 | 02 00                     // Capabilities: Route Refresh (RFC 2918 §2)
  02 02 | 46 00                     // Capabilities: Enhanced Route Refresh (RFC 7313 §3.1)
  02 06 | 41 04 | fa56ea01          // Capabilities: 4-octet AS 4200000001 (RFC 6793 §3)
  02 06 | 45 04 | 0001 01 01        // Capabilities: ADD-PATH IPv4 unicast, receive (RFC 7911 §4): kept as bytes
  02 06 | 49 04 | 02 7231 00        // Capabilities: FQDN hostname "r1", no domain (draft-walton-bgp-hostname): kept as bytes
  02 04 | 40 02 | 0078              // Capabilities: Graceful Restart, no flags, restart time 120 s, no AFI/SAFI (RFC 4724 §3)
`);

describe('OPEN (RFC 4271 §4.2, RFC 5492)', () => {
  it('decodes an OPEN as FRR sends it and re-encodes it byte for byte', () => {
    const open = decode(FRR_OPEN);
    assert.equal(open.myAs, AS_TRANS);
    assert.equal(openAsn(open), 4200000001);
    assert.equal(open.holdTime, 180);
    assert.equal(open.bgpId, 0x0a000001);
    assert.equal(open.parameters.length, 8);
    assert.deepEqual(deepPlain(openCapabilities(open)), [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'route-refresh', code: CapabilityCode.RouteRefreshCisco },
      { type: 'route-refresh', code: CapabilityCode.RouteRefresh },
      { type: 'enhanced-route-refresh' },
      { type: 'four-octet-as', asn: 4200000001 },
      { type: 'unknown', code: CapabilityCode.AddPath, value: hex('0001 01 01') },
      { type: 'unknown', code: 73, value: hex('02 7231 00') },
      { type: 'graceful-restart', flags: 0, restartTime: 120, families: [] },
    ]);
    assert.deepEqual(encode(open), FRR_OPEN);
  });

  it('round-trips any OPEN', () => {
    fc.assert(fc.property(openMessage(), (o) => {
      roundTrip<OpenMessage>(o, encode, decode, length, deepPlain);
    }), { numRuns: 1000 });
  });

  it('uses RFC 9072 extended optional parameters when they exceed 255 octets', () => {
    const big = fc.array(fc.uint8Array({ minLength: 20, maxLength: 30 }), { minLength: 12, maxLength: 20 }).map((values): OpenMessage => ({
      type: 'open', myAs: 65000, holdTime: 90, bgpId: 1,
      parameters: [{ type: 'capabilities', capabilities: values.map((value) => ({ type: 'unknown' as const, code: 200, value })) }],
    }));
    fc.assert(fc.property(big, (o) => {
      const bytes = roundTrip<OpenMessage>(o, encode, decode, length, deepPlain);
      assert.equal(bytes[28], 0xff); // Non-Ext OP Len
      assert.equal(bytes[29], 0xff); // Non-Ext OP Type
    }), { numRuns: 50 });
  });

  it('decodes RFC 9072 extended optional parameters', () => {
    const raw = message(1, `
      04 fde8 005a 0a000002   // version 4, My AS 65000, Hold Time 90, BGP Identifier 10.0.0.2
      ff                      // Non-Ext OP Len 255
      ff                      // Non-Ext OP Type 255: extended lengths follow (RFC 9072 §2)
      0009                    // Extended Opt. Parm. Length 9
      02 0006 | 01 04 0001 00 01  // Capabilities (2-octet length 6): Multiprotocol IPv4 unicast
    `);
    const open = decode(raw);
    assert.deepEqual(deepPlain(openCapabilities(open)), [{ type: 'multiprotocol', afi: 1, safi: 1 }]);
  });

  it('decodes Graceful Restart restart flags, time and AFI/SAFI list (RFC 4724 §3, RFC 8538)', () => {
    const raw = message(1, `
      04 fde8 00b4 0a000002 0a  // version 4, AS 65000, hold 180, id 10.0.0.2, Opt Parm Len 10
      02 08                     // Capabilities parameter, 8 octets
      40 06                     // Graceful Restart, length 6
      c0 78                     // flags R (restarting) and N (notification): 0xc; restart time 0x078 = 120
      0001 01 80                // AFI 1, SAFI 1, Forwarding State preserved
    `);
    const [gr] = openCapabilities(decode(raw));
    assert.deepEqual(deepPlain(gr), {
      type: 'graceful-restart', flags: GracefulRestartFlag.Restart | GracefulRestartFlag.Notification, restartTime: 120,
      families: [{ afi: 1, safi: 1, flags: GracefulRestartFlag.ForwardingState }],
    });
  });

  it('version 5 is Unsupported Version Number with data 4 (2 octets, RFC 4271 §6.2)', () => {
    const raw = message(1, `05 fde8 00b4 0a000002 00`); // version 5, AS 65000, hold 180, id 10.0.0.2, no parameters
    throwsBgp(() => decode(raw), ErrorCode.OpenMessage, OpenMessageSubcode.UnsupportedVersionNumber, hex('0004'));
  });

  it('Hold Time 1 or 2 is Unacceptable Hold Time (data: the hold time); 0 and 3 are fine', () => {
    for (const hold of [1, 2]) {
      const raw = message(1, `04 fde8 000${hold} 0a000002 00`);
      throwsBgp(() => decode(raw), ErrorCode.OpenMessage, OpenMessageSubcode.UnacceptableHoldTime, Uint8Array.of(0, hold));
    }
    for (const hold of [0, 3]) assert.equal(decode(message(1, `04 fde8 000${hold} 0a000002 00`)).holdTime, hold);
  });

  it('BGP Identifier 0 is Bad BGP Identifier', () => {
    const raw = message(1, `04 fde8 00b4 00000000 00`);
    throwsBgp(() => decode(raw), ErrorCode.OpenMessage, OpenMessageSubcode.BadBgpIdentifier, new Uint8Array(0));
  });

  it('an optional parameter other than Capabilities is Unsupported Optional Parameter', () => {
    const raw = message(1, `04 fde8 00b4 0a000002 04 | 01 02 0000`); // parameter 1 (authentication, deprecated)
    throwsBgp(() => decode(raw), ErrorCode.OpenMessage, OpenMessageSubcode.UnsupportedOptionalParameter);
  });

  it('parameter lengths that do not add up are an OPEN Message Error', () => {
    throwsBgp(() => decode(message(1, `04 fde8 00b4 0a000002 05 | 02 06 41040000`)), ErrorCode.OpenMessage, OpenMessageSubcode.Unspecific);
    throwsBgp(() => decode(message(1, `04 fde8 00b4 0a000002 04 | 02 02 41 04`)), ErrorCode.OpenMessage, OpenMessageSubcode.Unspecific);
    // a 4-octet AS capability of 3 octets: the data is the capability
    throwsBgp(() => decode(message(1, `04 fde8 00b4 0a000002 07 | 02 05 41 03 000001`)), ErrorCode.OpenMessage, OpenMessageSubcode.Unspecific, hex('41 03 000001'));
  });

  it('builds an OPEN and the Unsupported Capability error the session sends (RFC 5492 §5)', () => {
    const open = makeOpen({ asn: 4200000001, holdTime: 90, bgpId: 0x0a000001, capabilities: [{ type: 'four-octet-as', asn: 4200000001 }] });
    assert.equal(open.myAs, AS_TRANS);
    const mp = { type: 'multiprotocol' as const, afi: 2, safi: 1 };
    const e = unsupportedCapabilityError([mp]);
    assert.equal(e.subcode, OpenMessageSubcode.UnsupportedCapability);
    assert.deepEqual(e.data, capabilityBytes(mp));
    assert.deepEqual(e.data, hex('01 04 0002 00 01'));
  });
});
