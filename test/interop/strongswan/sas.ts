/**
 * What charon says, parsed: `swanctl --list-sas --pretty` (the vici message tree, one item per
 * line) into typed IKE and CHILD SAs; one-line renderings of them for expect patterns; and, from
 * its log, the error notifies sent and received and the hex dumps of key material.
 */
import { InteropError } from '../daemon.js';

export const IKE_STATES = ['CREATED', 'CONNECTING', 'ESTABLISHED', 'PASSIVE', 'REKEYING', 'REKEYED', 'DELETING', 'DESTROYING'] as const;
export type IkeState = (typeof IKE_STATES)[number];
export const CHILD_STATES = [
  'CREATED', 'ROUTED', 'INSTALLING', 'INSTALLED', 'UPDATING', 'REKEYING', 'REKEYED', 'RETRYING', 'DELETING', 'DELETED', 'DESTROYING',
] as const;
export type ChildState = (typeof CHILD_STATES)[number];

export interface ChildSa {
  /** the CHILD_SA config name */
  name: string;
  uniqueId: number;
  reqid: number;
  state: ChildState;
  mode: string;
  protocol: string;
  encap: boolean;
  /** hex, as strongSwan prints them */
  spiIn: string;
  spiOut: string;
  /** strongSwan's notation as in "selected proposal: ESP:…", without "ESP:": `AES_GCM_16_256/NO_EXT_SEQ` */
  proposal: string;
  encrAlg: string;
  encrKeysize?: number;
  integAlg?: string;
  dhGroup?: string;
  bytesIn: number;
  packetsIn: number;
  bytesOut: number;
  packetsOut: number;
  /** seconds until rekey / hard expiry, and since installation */
  rekeyInSec?: number;
  lifeInSec?: number;
  installedSec?: number;
  localTs: string[];
  remoteTs: string[];
}

export interface IkeSa {
  /** the connection (IKE_SA config) name */
  name: string;
  uniqueId: number;
  state: IkeState;
  initiator: boolean;
  localHost: string;
  localPort: number;
  localId: string;
  remoteHost: string;
  remotePort: number;
  remoteId: string;
  /** hex, 16 digits */
  initiatorSpi: string;
  responderSpi: string;
  /** strongSwan's notation as in "selected proposal: IKE:…", without "IKE:"; '' while not negotiated */
  proposal: string;
  encrAlg?: string;
  encrKeysize?: number;
  integAlg?: string;
  prfAlg?: string;
  dhGroup?: string;
  /** seconds since establishment, until rekeying */
  establishedSec?: number;
  rekeyInSec?: number;
  children: ChildSa[];
}

// ---- the vici tree ------------------------------------------------------------------------------

export type ViciValue = string | string[] | ViciSection;
export interface ViciSection { [key: string]: ViciValue }

/**
 * Parses swanctl's `--pretty` dump: `name {` … `}` sections, `key = value`, `key = [` items `]`.
 * Returns the messages in order (e.g. "list-sa event" per IKE_SA, then "list-sas reply").
 */
export function parseViciPretty(text: string): { message: string; body: ViciSection }[] {
  const messages: { message: string; body: ViciSection }[] = [];
  const stack: ViciSection[] = [];
  let list: string[] | undefined;
  const fail = (line: string, n: number): never => {
    throw new InteropError('INTEROP_UNPARSEABLE', `swanctl --pretty, line ${n + 1}: unexpected ${JSON.stringify(line)}`);
  };
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line === '') return;
    if (list !== undefined) {
      if (line === ']') list = undefined;
      else list.push(line);
      return;
    }
    let m: RegExpExecArray | null;
    if (line === '}') {
      if (stack.pop() === undefined) fail(line, n);
    } else if ((m = /^(.+?) \{$/.exec(line)) !== null) {
      const section: ViciSection = {};
      if (stack.length === 0) messages.push({ message: m[1]!, body: section });
      else stack[stack.length - 1]![m[1]!] = section;
      stack.push(section);
    } else if (stack.length === 0) {
      fail(line, n);
    } else if ((m = /^(\S+) = \[$/.exec(line)) !== null) {
      list = [];
      stack[stack.length - 1]![m[1]!] = list;
    } else if ((m = /^(\S+) = (.*)$/.exec(line)) !== null) {
      stack[stack.length - 1]![m[1]!] = m[2]!;
    } else {
      fail(line, n);
    }
  });
  if (stack.length > 0 || list !== undefined) throw new InteropError('INTEROP_UNPARSEABLE', 'swanctl --pretty: unterminated section');
  return messages;
}

const str = (s: ViciSection, key: string, where: string): string => {
  const v = s[key];
  if (typeof v !== 'string') throw new InteropError('INTEROP_UNPARSEABLE', `${where}: no ${key} in ${JSON.stringify(s).slice(0, 300)}`);
  return v;
};
const opt = (s: ViciSection, key: string): string | undefined => (typeof s[key] === 'string' ? (s[key] as string) : undefined);
const optNum = (s: ViciSection, key: string): number | undefined => {
  const v = opt(s, key);
  return v === undefined ? undefined : Number(v);
};
const list = (s: ViciSection, key: string): string[] => (Array.isArray(s[key]) ? [...(s[key] as string[])] : []);

function algorithm(encr: string | undefined, keysize: number | undefined): string | undefined {
  return encr === undefined ? undefined : keysize === undefined ? encr : `${encr}_${keysize}`;
}

function childFrom(s: ViciSection, where: string): ChildSa {
  const state = str(s, 'state', where);
  if (!(CHILD_STATES as readonly string[]).includes(state)) throw new InteropError('INTEROP_UNPARSEABLE', `${where}: unknown CHILD_SA state ${state}`);
  const encrAlg = str(s, 'encr-alg', where);
  const encrKeysize = optNum(s, 'encr-keysize');
  const integAlg = opt(s, 'integ-alg');
  const dhGroup = opt(s, 'dh-group');
  const proposal = [algorithm(encrAlg, encrKeysize), integAlg, dhGroup, opt(s, 'esn') === '1' ? 'EXT_SEQ' : 'NO_EXT_SEQ']
    .filter((x): x is string => x !== undefined).join('/');
  return {
    name: str(s, 'name', where),
    uniqueId: Number(str(s, 'uniqueid', where)),
    reqid: Number(str(s, 'reqid', where)),
    state: state as ChildState,
    mode: str(s, 'mode', where),
    protocol: str(s, 'protocol', where),
    encap: opt(s, 'encap') === 'yes',
    spiIn: str(s, 'spi-in', where),
    spiOut: str(s, 'spi-out', where),
    proposal,
    encrAlg,
    ...(encrKeysize !== undefined ? { encrKeysize } : {}),
    ...(integAlg !== undefined ? { integAlg } : {}),
    ...(dhGroup !== undefined ? { dhGroup } : {}),
    bytesIn: Number(opt(s, 'bytes-in') ?? 0),
    packetsIn: Number(opt(s, 'packets-in') ?? 0),
    bytesOut: Number(opt(s, 'bytes-out') ?? 0),
    packetsOut: Number(opt(s, 'packets-out') ?? 0),
    ...(optNum(s, 'rekey-time') !== undefined ? { rekeyInSec: optNum(s, 'rekey-time')! } : {}),
    ...(optNum(s, 'life-time') !== undefined ? { lifeInSec: optNum(s, 'life-time')! } : {}),
    ...(optNum(s, 'install-time') !== undefined ? { installedSec: optNum(s, 'install-time')! } : {}),
    localTs: list(s, 'local-ts'),
    remoteTs: list(s, 'remote-ts'),
  };
}

/** `swanctl --list-sas --pretty` → IKE_SAs with their CHILD_SAs. */
export function parseListSas(text: string): IkeSa[] {
  const sas: IkeSa[] = [];
  for (const { message, body } of parseViciPretty(text)) {
    if (message !== 'list-sa event') continue;
    for (const [name, v] of Object.entries(body)) {
      if (typeof v !== 'object' || Array.isArray(v)) continue;
      const where = `list-sas: IKE_SA ${name}`;
      const state = str(v, 'state', where);
      if (!(IKE_STATES as readonly string[]).includes(state)) throw new InteropError('INTEROP_UNPARSEABLE', `${where}: unknown state ${state}`);
      const encrAlg = opt(v, 'encr-alg');
      const encrKeysize = optNum(v, 'encr-keysize');
      const integAlg = opt(v, 'integ-alg');
      const prfAlg = opt(v, 'prf-alg');
      const dhGroup = opt(v, 'dh-group');
      const childSection = v['child-sas'];
      const children = typeof childSection === 'object' && !Array.isArray(childSection)
        ? Object.entries(childSection).flatMap(([k, c]) => (typeof c === 'object' && !Array.isArray(c) ? [childFrom(c, `${where}: CHILD_SA ${k}`)] : []))
        : [];
      sas.push({
        name,
        uniqueId: Number(str(v, 'uniqueid', where)),
        state: state as IkeState,
        initiator: opt(v, 'initiator') === 'yes',
        localHost: str(v, 'local-host', where),
        localPort: Number(str(v, 'local-port', where)),
        localId: str(v, 'local-id', where),
        remoteHost: str(v, 'remote-host', where),
        remotePort: Number(str(v, 'remote-port', where)),
        remoteId: str(v, 'remote-id', where),
        initiatorSpi: str(v, 'initiator-spi', where),
        responderSpi: str(v, 'responder-spi', where),
        proposal: [algorithm(encrAlg, encrKeysize), integAlg, prfAlg, dhGroup].filter((x): x is string => x !== undefined).join('/'),
        ...(encrAlg !== undefined ? { encrAlg } : {}),
        ...(encrKeysize !== undefined ? { encrKeysize } : {}),
        ...(integAlg !== undefined ? { integAlg } : {}),
        ...(prfAlg !== undefined ? { prfAlg } : {}),
        ...(dhGroup !== undefined ? { dhGroup } : {}),
        ...(optNum(v, 'established') !== undefined ? { establishedSec: optNum(v, 'established')! } : {}),
        ...(optNum(v, 'rekey-time') !== undefined ? { rekeyInSec: optNum(v, 'rekey-time')! } : {}),
        children,
      });
    }
  }
  return sas;
}

/**
 * One line per SA, for expect patterns (strongSwan's own `name[id]` / `name{id}` notation):
 *   net[1] ESTABLISHED initiator 192.168.251.1[192.168.251.1]...192.168.251.2[192.168.251.2] spi_i 8a… spi_r 15… proposal AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
 *   net[1] net{1} INSTALLED TUNNEL ESP encap spi_in c1… spi_out c7… proposal AES_GCM_16_256/NO_EXT_SEQ bytes 252/252 packets 3/3 ts 10.11.0.0/24 === 10.12.0.0/24
 * (bytes and packets are in/out.)
 */
export function renderSas(sas: readonly IkeSa[]): string {
  const lines: string[] = [];
  for (const ike of sas) {
    lines.push([
      `${ike.name}[${ike.uniqueId}]`, ike.state, ike.initiator ? 'initiator' : 'responder',
      `${ike.localHost}[${ike.localId}]...${ike.remoteHost}[${ike.remoteId}]`,
      'spi_i', ike.initiatorSpi, 'spi_r', ike.responderSpi, 'proposal', ike.proposal || '-',
    ].join(' '));
    for (const c of ike.children) {
      lines.push([
        `${ike.name}[${ike.uniqueId}]`, `${c.name}{${c.uniqueId}}`, c.state, c.mode, c.protocol, ...(c.encap ? ['encap'] : []),
        'spi_in', c.spiIn, 'spi_out', c.spiOut, 'proposal', c.proposal,
        'bytes', `${c.bytesIn}/${c.bytesOut}`, 'packets', `${c.packetsIn}/${c.packetsOut}`,
        'ts', c.localTs.join(','), '===', c.remoteTs.join(','),
      ].join(' '));
    }
  }
  return lines.join('\n');
}

// ---- the log ------------------------------------------------------------------------------------

/**
 * RFC 7296 error notify types (< 16384) by the abbreviation charon logs in message summaries
 * (`generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]`) → the name it logs elsewhere.
 */
export const ERROR_NOTIFIES: Readonly<Record<string, string>> = {
  CRIT: 'UNSUPPORTED_CRITICAL_PAYLOAD',
  INVAL_IKE_SPI: 'INVALID_IKE_SPI',
  INVAL_MAJOR: 'INVALID_MAJOR_VERSION',
  INVAL_SYN: 'INVALID_SYNTAX',
  INVAL_MID: 'INVALID_MESSAGE_ID',
  INVAL_SPI: 'INVALID_SPI',
  NO_PROP: 'NO_PROPOSAL_CHOSEN',
  INVAL_KE: 'INVALID_KE_PAYLOAD',
  AUTH_FAILED: 'AUTHENTICATION_FAILED',
  SINGLE_PAIR: 'SINGLE_PAIR_REQUIRED',
  NO_ADD_SAS: 'NO_ADDITIONAL_SAS',
  INT_ADDR_FAIL: 'INTERNAL_ADDRESS_FAILURE',
  FAIL_CP_REQ: 'FAILED_CP_REQUIRED',
  TS_UNACCEPT: 'TS_UNACCEPTABLE',
  INVAL_SEL: 'INVALID_SELECTORS',
  TEMP_FAIL: 'TEMPORARY_FAILURE',
  NO_CHILD_SA: 'CHILD_SA_NOT_FOUND',
};

export interface NotifyError {
  direction: 'sent' | 'received';
  /** the full name, e.g. AUTHENTICATION_FAILED */
  notify: string;
  /** e.g. IKE_AUTH, INFORMATIONAL, CREATE_CHILD_SA */
  exchange: string;
  message: 'request' | 'response';
  messageId: number;
  /** the IKE_SA the line is about, from ike_name ("net", or "" before a config is chosen) */
  ike: string;
  ikeId?: number;
  line: string;
}

/** `<conn|id>` (ike_name = yes) in a log line */
const IKE_TAG = /^\S+ \d+\[\w+\] (?:<(?:([^|>]*)\|)?(\d+)> )?/;

export function parseNotifyErrors(log: string): NotifyError[] {
  const out: NotifyError[] = [];
  for (const line of log.split('\n')) {
    const m = /\[ENC\] (?:<(?:([^|>]*)\|)?(\d+)> )?(generating|parsed) (\S+) (request|response) (\d+) \[ (.*) \]$/.exec(line);
    if (m === null) continue;
    for (const p of m[7]!.split(' ')) {
      const n = /^N\((\w+)\)$/.exec(p);
      const full = n === null ? undefined : ERROR_NOTIFIES[n[1]!];
      if (full === undefined) continue;
      out.push({
        direction: m[3] === 'generating' ? 'sent' : 'received',
        notify: full,
        exchange: m[4]!,
        message: m[5] as 'request' | 'response',
        messageId: Number(m[6]),
        ike: m[1] ?? '',
        ...(m[2] !== undefined ? { ikeId: Number(m[2]) } : {}),
        line,
      });
    }
  }
  return out;
}

/** `sent AUTHENTICATION_FAILED in IKE_AUTH response 1 net[1]`, one per line; '-' if none. */
export function renderNotifyErrors(errors: readonly NotifyError[]): string {
  if (errors.length === 0) return '-';
  return errors.map((e) => `${e.direction} ${e.notify} in ${e.exchange} ${e.message} ${e.messageId} ${e.ike || '-'}[${e.ikeId ?? '-'}]`).join('\n');
}

/** A `label => N bytes @ 0x…` hex dump from the log (key material at ike/chd level 4). */
export interface LogDump {
  group: string;
  label: string;
  ike: string;
  ikeId?: number;
  bytes: Buffer;
}

export function parseDumps(log: string): LogDump[] {
  const out: LogDump[] = [];
  let current: { dump: LogDump; hex: string[]; size: number } | undefined;
  const finish = (): void => {
    if (current === undefined) return;
    current.dump.bytes = Buffer.from(current.hex.join(''), 'hex');
    if (current.dump.bytes.length === current.size) out.push(current.dump);
    current = undefined;
  };
  for (const line of log.split('\n')) {
    const tag = IKE_TAG.exec(line);
    const body = tag === null ? undefined : line.slice(tag[0].length);
    const row = body === undefined || current === undefined ? null : /^\s*\d+: ((?:[0-9A-F]{2} )*[0-9A-F]{2})/.exec(body);
    if (row !== null && current !== undefined) {
      current.hex.push(row[1]!.replace(/ /g, ''));
      continue;
    }
    finish();
    const head = body === undefined ? null : /^(.+?) => (\d+) bytes @ 0x[0-9a-f]+$/.exec(body);
    if (head === null || tag === null) continue;
    const group = /\[(\w+)\]/.exec(line)![1]!;
    current = {
      dump: { group, label: head[1]!, ike: tag[1] ?? '', ...(tag[2] !== undefined ? { ikeId: Number(tag[2]) } : {}), bytes: Buffer.alloc(0) },
      hex: [],
      size: Number(head[2]),
    };
    if (current.size === 0) finish();
  }
  finish();
  return out;
}
