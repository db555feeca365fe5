/**
 * The typed configuration of a strongSwan peer and its rendering: strongswan.conf (the charon
 * daemon: kernel-libipsec, threads, logging, the vici socket) and swanctl.conf (connections and
 * PSKs). Checked before anything is written, so a typo is an INTEROP_BAD_CONFIG naming the field,
 * not a charon log line. See /work/shared/reference/strongswan-interop.md for the why of the fixed
 * settings (plugin order, encap, threads, dos_protection).
 */
import { InteropError, isIpv4 } from '../daemon.js';

/**
 * An IKE identity. An IPv4 address is written as is (strongSwan parses a dotted quad as
 * ID_IPV4_ADDR; its `ipv4:` prefix would take the following characters as raw bytes), the others
 * with strongSwan's explicit type prefixes, so nothing is guessed.
 */
export type SwanIdentity =
  | { type: 'ipv4'; address: string }
  | { type: 'fqdn'; fqdn: string }
  /** ID_KEY_ID, raw bytes given as hex */
  | { type: 'keyid'; hex: string };

export type StartAction = 'none' | 'start' | 'trap';
export type DpdAction = 'clear' | 'trap' | 'restart';

export interface SwanChild {
  /** CHILD_SA config name; unique within the charon */
  name: string;
  /** traffic selectors, strongSwan syntax: `10.11.0.0/24`, `10.11.0.5`, `10.11.0.1-10.11.0.9`, `dynamic`, with an optional `[proto/port]` */
  localTs: string[];
  remoteTs: string[];
  /** strongSwan ESP proposal strings, e.g. `aes256gcm16`, `aes256-sha256`, `aes128-sha256-modp2048` (PFS) */
  espProposals: string[];
  startAction?: StartAction;
  /** what to do when DPD declares the peer dead (needs SwanConnection.dpdDelaySec) */
  dpdAction?: DpdAction;
  /** CHILD_SA rekeying and hard lifetime, seconds (strongSwan: 3600 / 3960) */
  rekeyTimeSec?: number;
  lifeTimeSec?: number;
  /** randomisation subtracted from rekey_time (strongSwan default: life - rekey) */
  randTimeSec?: number;
}

export interface SwanConnection {
  /** connection (IKE_SA config) name */
  name: string;
  /** IPv4 addresses of this namespace to speak IKE from */
  localAddrs: string[];
  /** IPv4 addresses of the peer: each must be one this topology assigned */
  remoteAddrs: string[];
  /** strongSwan IKE proposal strings, e.g. `aes256-sha256-modp2048`, `aes256gcm16-prfsha256-x25519` */
  proposals: string[];
  /** the pre-shared key (any UTF-8; written hex-encoded) */
  psk: string;
  localId: SwanIdentity;
  remoteId: SwanIdentity;
  children: SwanChild[];
  /** DPD interval, seconds (0/undefined: no DPD) */
  dpdDelaySec?: number;
  /** IKE_SA rekeying time and hard lifetime, seconds; the lifetime is rendered as over_time = life - rekey */
  rekeyTimeSec?: number;
  lifeTimeSec?: number;
  randTimeSec?: number;
  /** attempts to establish (strongSwan keyingtries); default 1, so a failure is final */
  keyingtries?: number;
}

/** charon's log groups (strongSwan `debug_t`) and levels -1 (silent) … 4 (raw key material). */
export type LogGroup =
  | 'default' | 'dmn' | 'mgr' | 'ike' | 'chd' | 'job' | 'cfg' | 'knl' | 'net' | 'asn' | 'enc' | 'tnc' | 'imc'
  | 'imv' | 'pts' | 'tls' | 'esp' | 'lib';
export type LogLevel = -1 | 0 | 1 | 2 | 3 | 4;
export type LogLevels = Partial<Record<LogGroup, LogLevel>>;

/**
 * Default levels: state changes (ike/chd 2) and proposal selection (cfg 1), enough for @error and
 * the failure detection in initiate() (which read ENC ≥ 1 "generating/parsed … [ N(…) ]").
 */
export const DEFAULT_LOG_LEVELS: LogLevels = { default: 1, ike: 2, chd: 2 };
/**
 * Everything needed to check key derivation against strongSwan: DH secret, SKEYSEED, SK_d … SK_pr
 * (ike 4), the ESP keys (chd 4), and the AUTH octets; the log grows to ~30 kB per IKE_SA.
 */
export const KEY_MATERIAL_LOG_LEVELS: LogLevels = { default: 1, ike: 4, chd: 4, enc: 2, cfg: 2 };

export interface CharonSettings {
  /** log levels per group (merged over DEFAULT_LOG_LEVELS) */
  logLevels?: LogLevels;
  /** worker threads; at least 32 with kernel-libipsec (gotcha 8) */
  threads?: number;
  /** IKE retransmission: strongSwan's retransmit_timeout (s), _tries, _base */
  retransmit?: { timeoutSec?: number; tries?: number; base?: number };
}

/**
 * The plugins charon loads, in this order: kernel-libipsec before kernel-netlink, so that it
 * provides kernel-ipsec (gotcha 3). openssl does AES-CBC/GCM, SHA-2, MODP, ECP and X25519 (the
 * curve25519 plugin of the recipe is not in Debian's packages here: charon logs "failed to load").
 */
export const CHARON_PLUGINS = [
  'random', 'nonce', 'openssl', 'pem', 'pkcs1', 'x509', 'pubkey', 'kdf', 'sha1', 'sha2', 'hmac',
  'kernel-libipsec', 'kernel-netlink', 'socket-default', 'vici',
] as const;
/** swanctl's own plugins: without a list it loads ldap, pkcs11, curl … on every call (gotcha 2) */
export const SWANCTL_PLUGINS = ['random', 'nonce', 'openssl', 'pem', 'pkcs1', 'x509', 'pubkey'] as const;

const MIN_THREADS = 32;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const PROPOSAL = /^[a-z0-9_]+(?:-[a-z0-9_]+)*$/;
const FQDN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const TS_ADDR = /^(?:(\d+\.\d+\.\d+\.\d+)(?:\/(\d{1,2}))?|(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)|dynamic)(?:\[[a-z0-9%/-]*\])?$/;

function bad(where: string, what: string): never {
  throw new InteropError('INTEROP_BAD_CONFIG', `${where}: ${what}`);
}

function checkSeconds(v: number | undefined, where: string, field: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 0)) bad(where, `${field} ${v} is not a whole number of seconds ≥ 0`);
}

function checkList<T>(xs: readonly T[], where: string, field: string, ok: (x: T) => boolean, want: string): void {
  if (xs.length === 0) bad(where, `${field} is empty`);
  for (const x of xs) if (!ok(x)) bad(where, `${field}: ${JSON.stringify(x)} is not ${want}`);
}

export function checkIdentity(id: SwanIdentity, where: string): void {
  switch (id.type) {
    case 'ipv4': if (!isIpv4(id.address)) bad(where, `${JSON.stringify(id.address)} is not an IPv4 address`); break;
    case 'fqdn': if (!FQDN.test(id.fqdn)) bad(where, `${JSON.stringify(id.fqdn)} is not a domain name`); break;
    case 'keyid': if (!HEX.test(id.hex)) bad(where, `key id ${JSON.stringify(id.hex)} is not an even number of hex digits`); break;
    default: bad(where, `unknown identity type ${JSON.stringify((id as { type: unknown }).type)}`);
  }
}

/** The identity as swanctl.conf takes it (quoted by the caller: `#` would start a comment). */
export function renderIdentity(id: SwanIdentity): string {
  switch (id.type) {
    case 'ipv4': return id.address;
    case 'fqdn': return `fqdn:${id.fqdn}`;
    case 'keyid': return `keyid:#${id.hex.toLowerCase()}`;
  }
}

/** The identity as strongSwan prints it (list-sas local-id/remote-id, the log): a key id as `0b:ad:c0:de`. */
export function printedIdentity(id: SwanIdentity): string {
  switch (id.type) {
    case 'ipv4': return id.address;
    case 'fqdn': return id.fqdn;
    case 'keyid': return id.hex.toLowerCase().match(/../g)!.join(':');
  }
}

/** A traffic selector's address part as a uint32 range, or undefined for `dynamic`. */
export function tsRange(ts: string): { first: number; last: number } | undefined {
  const m = TS_ADDR.exec(ts);
  if (m === null) throw new InteropError('INTEROP_BAD_CONFIG', `traffic selector ${JSON.stringify(ts)} is not a.b.c.d[/len], a.b.c.d-e.f.g.h or dynamic (with an optional [proto/port])`);
  if (m[1] !== undefined) {
    const len = m[2] === undefined ? 32 : Number(m[2]);
    const base = ipv4ToUint(m[1]);
    const size = 2 ** (32 - len);
    const first = base - (base % size);
    return { first, last: first + size - 1 };
  }
  if (m[3] !== undefined) return { first: ipv4ToUint(m[3]), last: ipv4ToUint(m[4]!) };
  return undefined;
}

export function ipv4ToUint(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function uintToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Checks every connection; throws INTEROP_BAD_CONFIG naming the connection and field. */
export function validateConnections(conns: readonly SwanConnection[], who: string): void {
  const connNames = new Set<string>();
  const childNames = new Set<string>();
  for (const c of conns) {
    const where = `${who}: connection ${JSON.stringify(c.name)}`;
    if (!NAME.test(c.name)) bad(where, 'name must be [A-Za-z0-9_-], at most 32 characters');
    if (connNames.has(c.name)) bad(where, 'appears twice');
    connNames.add(c.name);
    checkList(c.localAddrs, where, 'localAddrs', isIpv4, 'an IPv4 address');
    checkList(c.remoteAddrs, where, 'remoteAddrs', isIpv4, 'an IPv4 address');
    checkList(c.proposals, where, 'proposals', (p) => PROPOSAL.test(p), 'a strongSwan proposal like aes256-sha256-modp2048');
    if (typeof c.psk !== 'string' || c.psk.length === 0) bad(where, 'psk is empty');
    checkIdentity(c.localId, `${where}: localId`);
    checkIdentity(c.remoteId, `${where}: remoteId`);
    checkSeconds(c.dpdDelaySec, where, 'dpdDelaySec');
    checkSeconds(c.rekeyTimeSec, where, 'rekeyTimeSec');
    checkSeconds(c.lifeTimeSec, where, 'lifeTimeSec');
    checkSeconds(c.randTimeSec, where, 'randTimeSec');
    if (c.lifeTimeSec !== undefined && c.lifeTimeSec <= (c.rekeyTimeSec ?? 14_400)) {
      bad(where, `lifeTimeSec ${c.lifeTimeSec} must exceed rekeyTimeSec ${c.rekeyTimeSec ?? '(default 14400)'}`);
    }
    if (c.keyingtries !== undefined && (!Number.isInteger(c.keyingtries) || c.keyingtries < 0)) bad(where, `keyingtries ${c.keyingtries} is not an integer ≥ 0`);
    if (c.children.length === 0) bad(where, 'has no children');
    for (const ch of c.children) {
      const cw = `${where}: child ${JSON.stringify(ch.name)}`;
      if (!NAME.test(ch.name)) bad(cw, 'name must be [A-Za-z0-9_-], at most 32 characters');
      if (childNames.has(ch.name)) bad(cw, 'child names must be unique across connections (initiate() names a child alone)');
      childNames.add(ch.name);
      for (const [field, list] of [['localTs', ch.localTs], ['remoteTs', ch.remoteTs]] as const) {
        if (list.length === 0) bad(cw, `${field} is empty`);
        for (const ts of list) {
          try {
            tsRange(ts);
          } catch (e) {
            bad(cw, `${field}: ${(e as Error).message}`);
          }
        }
      }
      checkList(ch.espProposals, cw, 'espProposals', (p) => PROPOSAL.test(p), 'a strongSwan proposal like aes256gcm16');
      if (ch.startAction !== undefined && !['none', 'start', 'trap'].includes(ch.startAction)) bad(cw, `startAction ${JSON.stringify(ch.startAction)}`);
      if (ch.dpdAction !== undefined && !['clear', 'trap', 'restart'].includes(ch.dpdAction)) bad(cw, `dpdAction ${JSON.stringify(ch.dpdAction)}`);
      checkSeconds(ch.rekeyTimeSec, cw, 'rekeyTimeSec');
      checkSeconds(ch.lifeTimeSec, cw, 'lifeTimeSec');
      checkSeconds(ch.randTimeSec, cw, 'randTimeSec');
      if (ch.lifeTimeSec !== undefined && ch.rekeyTimeSec !== undefined && ch.lifeTimeSec <= ch.rekeyTimeSec) {
        bad(cw, `lifeTimeSec ${ch.lifeTimeSec} must exceed rekeyTimeSec ${ch.rekeyTimeSec}`);
      }
    }
  }
}

export function validateSettings(s: CharonSettings, who: string): void {
  if (s.threads !== undefined && (!Number.isInteger(s.threads) || s.threads < MIN_THREADS)) {
    bad(who, `threads ${s.threads}: kernel-libipsec keeps ~9 workers busy; use at least ${MIN_THREADS} (strongswan-interop.md gotcha 8)`);
  }
  for (const [group, level] of Object.entries(s.logLevels ?? {})) {
    if (!Number.isInteger(level) || level < -1 || level > 4) bad(who, `log level ${group} = ${level} is not in -1..4`);
  }
  const r = s.retransmit ?? {};
  if (r.timeoutSec !== undefined && !(r.timeoutSec > 0)) bad(who, `retransmit.timeoutSec ${r.timeoutSec} must be > 0`);
  if (r.tries !== undefined && (!Number.isInteger(r.tries) || r.tries < 0)) bad(who, `retransmit.tries ${r.tries} is not an integer ≥ 0`);
  if (r.base !== undefined && !(r.base >= 1)) bad(who, `retransmit.base ${r.base} must be ≥ 1`);
}

/** strongswan.conf for one instance whose files live in `dir`. */
export function renderStrongswanConf(s: CharonSettings, dir: string): string {
  const levels: LogLevels = { ...DEFAULT_LOG_LEVELS, ...s.logLevels };
  const r = s.retransmit ?? {};
  return [
    'charon {',
    `  load = ${CHARON_PLUGINS.join(' ')}`,
    `  threads = ${s.threads ?? MIN_THREADS}`,
    // test beds only: a burst of IKE_SA_INITs from one address must not be throttled (gotcha 9)
    '  dos_protection = no',
    ...(r.timeoutSec !== undefined ? [`  retransmit_timeout = ${r.timeoutSec}`] : []),
    ...(r.tries !== undefined ? [`  retransmit_tries = ${r.tries}`] : []),
    ...(r.base !== undefined ? [`  retransmit_base = ${r.base}`] : []),
    '  plugins {',
    '    vici {',
    `      socket = unix://${dir}/charon.vici`,
    '    }',
    '  }',
    '  filelog {',
    '    vpnlab {',
    `      path = ${dir}/charon.log`,
    '      append = no',
    // written line by line, so the harness reads what charon has done so far (and a SIGKILL loses nothing)
    '      flush_line = yes',
    '      time_format = %T',
    '      time_add_ms = yes',
    // "<conn|id>" on every line: which IKE_SA a line is about
    '      ike_name = yes',
    ...Object.entries(levels).map(([group, level]) => `      ${group} = ${level}`),
    '    }',
    '  }',
    '}',
    'swanctl {',
    `  load = ${SWANCTL_PLUGINS.join(' ')}`,
    '}',
    '',
  ].join('\n');
}

const secs = (n: number): string => `${n}s`;
const quote = (s: string): string => `"${s}"`;

/** swanctl.conf: the connections and one PSK per connection, bound to its two identities. */
export function renderSwanctlConf(conns: readonly SwanConnection[]): string {
  const out: string[] = ['connections {'];
  for (const c of conns) {
    out.push(
      `  ${c.name} {`,
      '    version = 2',
      `    local_addrs = ${c.localAddrs.join(',')}`,
      `    remote_addrs = ${c.remoteAddrs.join(',')}`,
      // kernel-libipsec does ESP in UDP only: force UDP encapsulation on both ends (gotcha 4)
      '    encap = yes',
      // no MOBIKE address updates right after establishment (gotcha 7)
      '    mobike = no',
      `    proposals = ${c.proposals.join(',')}`,
      `    keyingtries = ${c.keyingtries ?? 1}`,
    );
    if (c.dpdDelaySec !== undefined) out.push(`    dpd_delay = ${secs(c.dpdDelaySec)}`);
    if (c.rekeyTimeSec !== undefined) out.push(`    rekey_time = ${secs(c.rekeyTimeSec)}`);
    if (c.lifeTimeSec !== undefined) out.push(`    over_time = ${secs(c.lifeTimeSec - (c.rekeyTimeSec ?? 14_400))}`);
    if (c.randTimeSec !== undefined) out.push(`    rand_time = ${secs(c.randTimeSec)}`);
    out.push(
      '    local {',
      '      auth = psk',
      `      id = ${quote(renderIdentity(c.localId))}`,
      '    }',
      '    remote {',
      '      auth = psk',
      `      id = ${quote(renderIdentity(c.remoteId))}`,
      '    }',
      '    children {',
    );
    for (const ch of c.children) {
      out.push(
        `      ${ch.name} {`,
        `        local_ts = ${ch.localTs.join(',')}`,
        `        remote_ts = ${ch.remoteTs.join(',')}`,
        `        esp_proposals = ${ch.espProposals.join(',')}`,
        '        mode = tunnel',
        `        start_action = ${ch.startAction ?? 'none'}`,
      );
      if (ch.dpdAction !== undefined) out.push(`        dpd_action = ${ch.dpdAction}`);
      if (ch.rekeyTimeSec !== undefined) out.push(`        rekey_time = ${secs(ch.rekeyTimeSec)}`);
      if (ch.lifeTimeSec !== undefined) out.push(`        life_time = ${secs(ch.lifeTimeSec)}`);
      if (ch.randTimeSec !== undefined) out.push(`        rand_time = ${secs(ch.randTimeSec)}`);
      out.push('      }');
    }
    out.push('    }', '  }');
  }
  out.push('}', 'secrets {');
  for (const c of conns) {
    out.push(
      `  ike-${c.name} {`,
      // hex, so no character of the key can upset the parser
      `    secret = 0x${Buffer.from(c.psk, 'utf8').toString('hex')}`,
      `    id-local = ${quote(renderIdentity(c.localId))}`,
      `    id-remote = ${quote(renderIdentity(c.remoteId))}`,
      '  }',
    );
  }
  out.push('}', '');
  return out.join('\n');
}
