import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { peerRecords, routeRecords, type PeerRecord, type RouteRecord } from '../../src/bgp/views.js';
import { renderGetBgpPeer, renderGetBgpRouteInformation, renderPeers, renderRoutes, formatUptime } from '../../src/cli/render/bgp.js';
import { CeaseSubcode } from '../../src/bgp/errors.js';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';
import type { Transport } from '../../src/transport/types.js';

const peer = (over: Partial<PeerRecord>): PeerRecord => ({
  name: 'AzureS2S', address: '10.3.1.254', asn: 65010, localAddress: '192.168.37.1', mode: 'mixed', state: 'Established',
  uptime: 3723, holdTime: 180, prefixesAccepted: 3, announcementsReceived: 3, withdrawalsReceived: 0,
  rejected: { policy: 0, noPolicy: 0, asLoop: 0, blocked: 0 }, prefixesAdvertised: 1,
  messages: { in: 10, out: 9, updatesIn: 2, updatesOut: 1 }, lastError: null, lastErrorCause: null, missingPolicy: false, updateErrors: 0, lastUpdateError: null,
  routesNotSent: 0, lastRouteNotSent: null,
  ...over,
});

const learned = (prefix: string): RouteRecord => ({
  prefix, why: 'only-path', paths: [{
    from: 'AzureS2S', fromAddress: '10.3.1.254', nextHop: '10.3.1.254', asPath: '65010', origin: 'igp', localPref: null, med: null,
    communities: [], largeCommunities: [], weight: 0, best: true, eligible: true,
  }],
});

describe('BGP views and their renderings', () => {
  it('Get-BgpPeer in the layout the RRAS seed prints', () => {
    // ../shared/seeds/000: PS C:\> Get-BGPPeer
    assert.equal(renderGetBgpPeer([peer({})]), [
      '',
      'PeerName LocalIPAddress PeerIPAddress PeerASN OperationMode ConnectivityStatus',
      '-------- -------------- ------------- ------- ------------- ------------------',
      'AzureS2S 192.168.37.1   10.3.1.254    65010   Mixed         Connected         ',
      '', '', '',
    ].join('\n'));
    const states = [peer({ state: 'Active' }), peer({ state: 'Idle', lastError: 'Admin. stop (Cease/Administrative Shutdown)', lastErrorCause: { kind: 'admin-stop', subcode: CeaseSubcode.AdministrativeShutdown } }), peer({ mode: 'passive' })];
    assert.deepEqual(renderGetBgpPeer(states).split('\n').slice(3, 6).map((l) => l.trim().split(/\s+/).slice(4)), [
      ['Mixed', 'Connecting'], ['Mixed', 'Stopped'], ['Server', 'Connected'],
    ]);
  });

  it('Get-BgpRouteInformation in the layout the RRAS seed prints, learned routes only', () => {
    const own: RouteRecord = { prefix: '192.168.37.0/24', why: 'only-path', paths: [{ ...learned('x').paths[0]!, from: 'local', fromAddress: null, nextHop: null, asPath: '', weight: 32768 }] };
    assert.equal(renderGetBgpRouteInformation([learned('10.3.0.0/16'), learned('10.5.0.0/16'), learned('10.5.1.254/32'), own]), [
      '',
      'DestinationNetwork NextHop    LearnedFromPeer State LocalPref MED',
      '------------------ -------    --------------- ----- --------- ---',
      '10.3.0.0/16        10.3.1.254 AzureS2S        Best               ', // as in the seed, trailing blanks included
      '10.5.0.0/16        10.3.1.254 AzureS2S        Best               ',
      '10.5.1.254/32      10.3.1.254 AzureS2S        Best               ',
      '', '', '',
    ].join('\n'));
  });

  it('the peer summary flags RFC 8212 and shows uptime as FRR does', () => {
    assert.equal(formatUptime(3723), '01:02:03');
    assert.equal(formatUptime(2 * 86400 + 3 * 3600 + 4 * 60), '2d03h04m');
    const text = renderPeers([peer({ missingPolicy: true, uptime: 5 })]);
    assert.match(text, /AzureS2S +10\.3\.1\.254 +65010 +mixed +Established \(Policy\) +00:00:05 +3 +1 +10 +9/);
    assert.match(text, /RFC 8212/);
  });

  it('routes: best marked, decision step given', () => {
    const text = renderRoutes([learned('10.3.0.0/16')]);
    assert.match(text, /^\*> +10\.3\.0\.0\/16 +10\.3\.1\.254 +0 +65010 i +only-path$/m);
    assert.match(text, /1 prefixes, 1 paths/);
  });

  it('records from a speaker: neighbours before any session, own routes in address order', () => {
    const transport = {} as Transport; // never touched: the speaker is not started
    const speaker = new BgpSpeaker({
      localAs: 65023, routerId: parseIpv4('192.168.37.1'),
      neighbors: [{ name: 'AzureS2S', address: parseIpv4('10.3.1.254'), asn: 65010, passive: true }],
    }, { transport, clock: new ManualClock(), rng: new SeededRng(1) });
    speaker.originate([parsePrefix('192.168.38.0/24'), parsePrefix('192.168.37.0/24'), parsePrefix('10.0.0.0/8')]);
    const [p] = peerRecords(speaker);
    assert.equal(p!.state, 'Idle');
    assert.equal(p!.mode, 'passive');
    assert.equal(p!.uptime, null);
    assert.equal(p!.missingPolicy, true);
    assert.deepEqual(routeRecords(speaker).map((r) => r.prefix), ['10.0.0.0/8', '192.168.37.0/24', '192.168.38.0/24']);
    assert.deepEqual(routeRecords(speaker, parsePrefix('192.168.0.0/16')).map((r) => r.prefix), ['192.168.37.0/24', '192.168.38.0/24']);
    const own = routeRecords(speaker)[0]!.paths[0]!;
    assert.equal(own.from, 'local');
    assert.equal(own.weight, 32768);
    assert.equal(own.best, true);
  });
});
