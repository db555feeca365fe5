import { ExchangeType, NotifyType, PayloadType, exchangeName, isErrorNotify, payloadName } from './constants.js';
import { invalidSyntax } from './errors.js';
import type { Payload } from './payload-chain.js';
import { payloadTypeOf } from './payload-chain.js';

/*
 * Which payloads each exchange carries (RFC 7296 §1.2–1.5, §2.6, §2.16), as a table after
 * strongSwan's payload_rule_t: per exchange and direction, one or more alternative rule sets —
 * a response is either the normal one or an error one made of notifications — each saying which
 * payload types may appear, how often, and whether they travel inside SK.
 *
 * checkRules runs twice per protected message: on the message as received (encrypted = false:
 * only an SK/SKF payload, last, is expected) and on the decrypted payloads (encrypted = true).
 * Unknown non-critical payloads are ignored, as RFC 7296 §2.5 says.
 */

export interface PayloadRule {
  /** PayloadType. */
  type: number;
  min: number;
  max: number;
}

export interface RuleSet {
  name: string;
  /** True: these payloads are inside an SK payload; false: in plaintext. */
  encrypted: boolean;
  rules: readonly PayloadRule[];
  /** Payload types that appear all together or not at all (SA, TSi, TSr). */
  together?: readonly (readonly number[])[];
  /** A notify-only answer: one Notify must be an error type or one of these status types. */
  errorNotify?: { statusAllowed: readonly number[] };
}

export interface ExchangeRules {
  request: readonly RuleSet[];
  response: readonly RuleSet[];
}

const ANY = Number.POSITIVE_INFINITY;
const P = PayloadType;
const one = (type: number): PayloadRule => ({ type, min: 1, max: 1 });
const opt = (type: number): PayloadRule => ({ type, min: 0, max: 1 });
const many = (type: number, min = 0): PayloadRule => ({ type, min, max: ANY });
const NV = [many(P.NOTIFY), many(P.VENDOR_ID)];

function errorSet(encrypted: boolean, statusAllowed: readonly number[] = [], maxNotify = ANY): RuleSet {
  return { name: 'error', encrypted, rules: [{ type: P.NOTIFY, min: 1, max: maxNotify }, many(P.VENDOR_ID)], errorNotify: { statusAllowed } };
}

const CHILD = [P.SA, P.TSi, P.TSr];

export const EXCHANGE_RULES: Readonly<Record<number, ExchangeRules>> = {
  // §1.2: HDR, SAi1, KEi, Ni  /  HDR, SAr1, KEr, Nr, [CERTREQ]; §2.6 and §1.2: a responder that
  // wants a cookie, another DH group or accepts no proposal answers with the Notify alone;
  // RFC 5685 §4.2: so does one that redirects.
  [ExchangeType.IKE_SA_INIT]: {
    request: [{ name: 'normal', encrypted: false, rules: [one(P.SA), one(P.KE), one(P.NONCE), ...NV] }],
    response: [
      { name: 'normal', encrypted: false, rules: [one(P.SA), one(P.KE), one(P.NONCE), many(P.CERTREQ), ...NV] },
      errorSet(false, [NotifyType.COOKIE, NotifyType.REDIRECT]),
    ],
  },
  // §1.2 and §2.16: HDR, SK {IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr} (AUTH left out
  // to ask for EAP; SA and TSs left out for a childless IKE SA, RFC 6023), then SK {EAP} rounds
  // and SK {AUTH}; answers SK {IDr, [CERT,] AUTH, [EAP,] SAr2, TSi, TSr}, SK {EAP}, SK {AUTH,
  // SAr2, TSi, TSr}, or an error Notify.
  [ExchangeType.IKE_AUTH]: {
    request: [
      {
        name: 'initial', encrypted: true, together: [CHILD],
        rules: [one(P.IDi), many(P.CERT), many(P.CERTREQ), opt(P.IDr), opt(P.AUTH), opt(P.CP), opt(P.SA), opt(P.TSi), opt(P.TSr), ...NV],
      },
      { name: 'eap', encrypted: true, rules: [one(P.EAP), ...NV] },
      { name: 'eap-auth', encrypted: true, rules: [one(P.AUTH), ...NV] },
    ],
    response: [
      {
        name: 'auth', encrypted: true, together: [CHILD],
        rules: [opt(P.IDr), many(P.CERT), one(P.AUTH), opt(P.EAP), opt(P.CP), opt(P.SA), opt(P.TSi), opt(P.TSr), ...NV],
      },
      { name: 'eap', encrypted: true, rules: [one(P.EAP), ...NV] },
      errorSet(true),
    ],
  },
  // §1.3: HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], TSi, TSr} for Child SAs, HDR, SK {SA, Ni, KEi}
  // to rekey the IKE SA; the answer mirrors it, or is an error Notify (§1.3, §2.7, §2.8).
  [ExchangeType.CREATE_CHILD_SA]: {
    request: [{ name: 'normal', encrypted: true, together: [[P.TSi, P.TSr]], rules: [one(P.SA), one(P.NONCE), opt(P.KE), opt(P.TSi), opt(P.TSr), ...NV] }],
    response: [
      { name: 'normal', encrypted: true, together: [[P.TSi, P.TSr]], rules: [one(P.SA), one(P.NONCE), opt(P.KE), opt(P.TSi), opt(P.TSr), ...NV] },
      errorSet(true),
    ],
  },
  // §1.4, §1.5: HDR, SK {[N,] [D,] [CP,] ...} both ways, possibly empty (liveness check); §1.5:
  // an error about a message that could not be protected (INVALID_IKE_SPI...) goes unprotected.
  [ExchangeType.INFORMATIONAL]: {
    request: [
      { name: 'normal', encrypted: true, rules: [many(P.DELETE), opt(P.CP), ...NV] },
      errorSet(false, [], 1),
    ],
    response: [
      { name: 'normal', encrypted: true, rules: [many(P.DELETE), opt(P.CP), ...NV] },
      errorSet(false, [], 1),
    ],
  },
};

function problemWith(set: RuleSet, payloads: readonly Payload[]): string | undefined {
  const counts = new Map<number, number>();
  for (const p of payloads) {
    if (p.type === 'unknown') continue;
    const t = payloadTypeOf(p);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  for (const [t, n] of counts) {
    const rule = set.rules.find((r) => r.type === t);
    if (rule === undefined) return `${payloadName(t)} not allowed`;
    if (n > rule.max) return `${n} ${payloadName(t)} payloads (at most ${rule.max})`;
  }
  for (const rule of set.rules) {
    const n = counts.get(rule.type) ?? 0;
    if (n < rule.min) return n === 0 ? `no ${payloadName(rule.type)} payload` : `${n} ${payloadName(rule.type)} payloads (at least ${rule.min})`;
  }
  for (const group of set.together ?? []) {
    const present = group.filter((t) => counts.has(t));
    if (present.length > 0 && present.length < group.length) {
      return `${present.map(payloadName).join(', ')} without ${group.filter((t) => !counts.has(t)).map(payloadName).join(', ')}`;
    }
  }
  if (set.errorNotify !== undefined) {
    const allowed = set.errorNotify.statusAllowed;
    const ok = payloads.some((p) => p.type === 'notify' && (isErrorNotify(p.notifyType) || allowed.includes(p.notifyType)));
    if (!ok) return 'no error notification';
  }
  return undefined;
}

/**
 * Checks the payloads of a message against its exchange's rules; throws INVALID_SYNTAX saying
 * what is wrong (for each alternative tried). `encrypted`: the payloads came out of an SK/SKF
 * payload (true) or are the message as received (false).
 */
export function checkRules(exchange: number, response: boolean, payloads: readonly Payload[], encrypted: boolean): void {
  const rules = EXCHANGE_RULES[exchange];
  const what = `${exchangeName(exchange)} ${response ? 'response' : 'request'}`;
  if (rules === undefined) throw invalidSyntax(`${what}: no payload rules for this exchange type`);
  const sets = response ? rules.response : rules.request;
  const sealed = payloads.findIndex((p) => p.type === 'sk' || p.type === 'skf');
  if (encrypted && sealed >= 0) throw invalidSyntax(`${what}: ${payloadName(payloadTypeOf(payloads[sealed]!))} inside an encrypted payload`);
  if (!encrypted && sealed >= 0) {
    if (!sets.some((s) => s.encrypted)) throw invalidSyntax(`${what}: never encrypted, yet carries ${payloadName(payloadTypeOf(payloads[sealed]!))}`);
    if (sealed !== payloads.length - 1) throw invalidSyntax(`${what}: the encrypted payload is not the last one`);
    const outside = payloads.slice(0, sealed).find((p) => p.type !== 'unknown');
    if (outside !== undefined) throw invalidSyntax(`${what}: ${payloadName(payloadTypeOf(outside))} outside the encrypted payload`);
    return;
  }
  const candidates = sets.filter((s) => s.encrypted === encrypted);
  if (candidates.length === 0) {
    throw invalidSyntax(encrypted ? `${what}: is never encrypted` : `${what}: its payloads must be inside an SK payload`);
  }
  const problems: string[] = [];
  for (const set of candidates) {
    const problem = problemWith(set, payloads);
    if (problem === undefined) return;
    problems.push(candidates.length > 1 ? `as ${set.name}: ${problem}` : problem);
  }
  throw invalidSyntax(`${what}: ${problems.join('; ')}`);
}
