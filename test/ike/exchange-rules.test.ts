import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExchangeType, NotifyType } from '../../src/ike/constants.js';
import { EXCHANGE_RULES, checkRules } from '../../src/ike/exchange-rules.js';
import type { Payload } from '../../src/ike/payload-chain.js';
import { deleteIkeSa } from '../../src/ike/payloads/delete.js';
import { cookieNotify, invalidKeNotify, natDetectionNotify, notify, rekeySaNotify } from '../../src/ike/payloads/notify.js';
import { selectorFromPrefix } from '../../src/ike/payloads/ts.js';
import { throwsIke } from './helpers.js';

const { IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL } = ExchangeType;
const SYNTAX = NotifyType.INVALID_SYNTAX;

// Payloads as the rules see them (contents do not matter here).
const SA: Payload = { type: 'sa', proposals: [{ number: 1, protocolId: 1, spi: new Uint8Array(0), transforms: [] }] };
const KE: Payload = { type: 'ke', group: 31, data: new Uint8Array(32) };
const NONCE: Payload = { type: 'nonce', data: new Uint8Array(32) };
const IDI: Payload = { type: 'idi', idType: 2, data: new Uint8Array(3) };
const IDR: Payload = { type: 'idr', idType: 2, data: new Uint8Array(3) };
const AUTH: Payload = { type: 'auth', method: 2, data: new Uint8Array(32) };
const TSI: Payload = { type: 'tsi', selectors: [selectorFromPrefix({ address: 0x0a000000, length: 8 })] };
const TSR: Payload = { type: 'tsr', selectors: [selectorFromPrefix({ address: 0xac100000, length: 12 })] };
const EAP: Payload = { type: 'eap', message: new Uint8Array(5) };
const CERTREQ: Payload = { type: 'certreq', encoding: 4, authorities: new Uint8Array(20) };
const V: Payload = { type: 'vendor-id', data: new Uint8Array(16) };
const SK: Payload = { type: 'sk', firstPayload: 35, body: new Uint8Array(48) };
const UNKNOWN: Payload = { type: 'unknown', payloadType: 99, flags: 0, body: new Uint8Array(2) };
const NATD = natDetectionNotify('source', new Uint8Array(20));

/** Asserts the payloads break the rules, and that the message says which. */
function breaks(exchange: number, response: boolean, payloads: Payload[], encrypted: boolean, mentions: RegExp): void {
  const e = throwsIke(() => checkRules(exchange, response, payloads, encrypted), SYNTAX);
  assert.match(e.message, mentions);
}

describe('exchange rules: IKE_SA_INIT (RFC 7296 §1.2)', () => {
  it('a request is SA, KE, Ni and any notifications and vendor IDs, in plaintext', () => {
    checkRules(IKE_SA_INIT, false, [SA, KE, NONCE, NATD, V], false);
    checkRules(IKE_SA_INIT, false, [cookieNotify(new Uint8Array(8)), SA, KE, NONCE], false);  // retried with the cookie (§2.6)
    checkRules(IKE_SA_INIT, false, [SA, UNKNOWN, KE, NONCE], false);  // unknown non-critical payloads are ignored
    breaks(IKE_SA_INIT, false, [SA, NONCE], false, /no KE payload/);
    breaks(IKE_SA_INIT, false, [SA, SA, KE, NONCE], false, /2 SA payloads \(at most 1\)/);
    breaks(IKE_SA_INIT, false, [SA, KE, NONCE, AUTH], false, /AUTH not allowed/);
    breaks(IKE_SA_INIT, false, [SA, KE, NONCE, CERTREQ], false, /CERTREQ not allowed/);
  });

  it('a response is SA, KE, Nr, [CERTREQ], or a Notify alone: an error, COOKIE or REDIRECT', () => {
    checkRules(IKE_SA_INIT, true, [SA, KE, NONCE, NATD, CERTREQ, CERTREQ], false);
    checkRules(IKE_SA_INIT, true, [invalidKeNotify(19)], false);
    checkRules(IKE_SA_INIT, true, [notify(NotifyType.NO_PROPOSAL_CHOSEN)], false);
    checkRules(IKE_SA_INIT, true, [cookieNotify(new Uint8Array(16))], false);
    breaks(IKE_SA_INIT, true, [NATD], false, /as normal: no SA payload; as error: no error notification/);
    breaks(IKE_SA_INIT, true, [SA, NONCE], false, /as normal: no KE payload/);
  });

  it('is never encrypted', () => {
    breaks(IKE_SA_INIT, false, [SK], false, /never encrypted/);
    breaks(IKE_SA_INIT, true, [SA, KE, NONCE], true, /never encrypted/);
  });
});

describe('exchange rules: IKE_AUTH (RFC 7296 §1.2, §2.16)', () => {
  it('travels inside SK: the message is SK alone, its contents are checked once decrypted', () => {
    checkRules(IKE_AUTH, false, [SK], false);
    checkRules(IKE_AUTH, false, [UNKNOWN, SK], false);
    breaks(IKE_AUTH, false, [IDI, AUTH, SA, TSI, TSR], false, /must be inside an SK payload/);
    breaks(IKE_AUTH, false, [IDI, SK], false, /IDi outside the encrypted payload/);
    breaks(IKE_AUTH, false, [SK, V], false, /not the last/);
    breaks(IKE_AUTH, false, [IDI, AUTH, SK], true, /SK inside an encrypted payload/);
  });

  it('a request is IDi, [CERT], [CERTREQ], [IDr], AUTH, SAi2, TSi, TSr; or EAP; or the final AUTH', () => {
    checkRules(IKE_AUTH, false, [IDI, CERTREQ, IDR, AUTH, notify(NotifyType.INITIAL_CONTACT), SA, TSI, TSR], true);
    checkRules(IKE_AUTH, false, [IDI, AUTH], true);  // childless (RFC 6023)
    checkRules(IKE_AUTH, false, [IDI, SA, TSI, TSR], true);  // no AUTH: asks for EAP
    checkRules(IKE_AUTH, false, [EAP], true);
    checkRules(IKE_AUTH, false, [AUTH], true);
    breaks(IKE_AUTH, false, [IDI, AUTH, SA, TSI], true, /as initial: SA, TSi without TSr/);
    breaks(IKE_AUTH, false, [IDI, AUTH, KE, SA, TSI, TSR], true, /KE not allowed/);
    breaks(IKE_AUTH, false, [IDI, IDI, AUTH], true, /2 IDi payloads/);
  });

  it('a response is IDr, [CERT], AUTH, [EAP], SAr2, TSi, TSr; or EAP; or an error Notify', () => {
    checkRules(IKE_AUTH, true, [IDR, AUTH, SA, TSI, TSR], true);
    checkRules(IKE_AUTH, true, [IDR, AUTH, notify(NotifyType.TS_UNACCEPTABLE)], true);  // IKE SA up, Child SA refused
    checkRules(IKE_AUTH, true, [IDR, AUTH, EAP], true);
    checkRules(IKE_AUTH, true, [AUTH, SA, TSI, TSR], true);  // after EAP
    checkRules(IKE_AUTH, true, [notify(NotifyType.AUTHENTICATION_FAILED)], true);
    breaks(IKE_AUTH, true, [IDR, SA, TSI, TSR], true, /as auth: no AUTH payload/);
    breaks(IKE_AUTH, true, [notify(NotifyType.INITIAL_CONTACT)], true, /as error: no error notification/);
  });
});

describe('exchange rules: CREATE_CHILD_SA (RFC 7296 §1.3)', () => {
  it('creates or rekeys a Child SA with SA, Nonce, [KE], TSi, TSr; rekeys the IKE SA without TSs', () => {
    checkRules(CREATE_CHILD_SA, false, [rekeySaNotify(3, 0x1234), SA, NONCE, KE, TSI, TSR], true);
    checkRules(CREATE_CHILD_SA, false, [SA, NONCE, TSI, TSR], true);
    checkRules(CREATE_CHILD_SA, false, [SA, NONCE, KE], true);
    checkRules(CREATE_CHILD_SA, true, [SA, NONCE, KE], true);
    checkRules(CREATE_CHILD_SA, true, [notify(NotifyType.TEMPORARY_FAILURE)], true);
    checkRules(CREATE_CHILD_SA, true, [invalidKeNotify(31)], true);
    breaks(CREATE_CHILD_SA, false, [SA, NONCE, TSI], true, /TSi without TSr/);
    breaks(CREATE_CHILD_SA, false, [SA, KE, TSI, TSR], true, /no No payload/);
    breaks(CREATE_CHILD_SA, false, [SA, NONCE], false, /must be inside an SK payload/);
  });
});

describe('exchange rules: INFORMATIONAL (RFC 7296 §1.4, §1.5)', () => {
  it('carries Notify, Delete and CP payloads inside SK, possibly none', () => {
    checkRules(INFORMATIONAL, false, [], true);  // liveness check
    checkRules(INFORMATIONAL, true, [], true);
    checkRules(INFORMATIONAL, false, [deleteIkeSa(), notify(NotifyType.INITIAL_CONTACT)], true);
    breaks(INFORMATIONAL, false, [SA], true, /SA not allowed/);
  });

  it('may carry one error Notify unprotected (INVALID_IKE_SPI), nothing else', () => {
    checkRules(INFORMATIONAL, false, [notify(NotifyType.INVALID_IKE_SPI)], false);
    breaks(INFORMATIONAL, false, [deleteIkeSa()], false, /D not allowed/);
    breaks(INFORMATIONAL, false, [notify(NotifyType.INVALID_IKE_SPI), notify(NotifyType.INVALID_SPI)], false, /2 N payloads/);
    breaks(INFORMATIONAL, false, [], false, /no N payload/);
  });
});

describe('exchange rules: the table', () => {
  it('covers the four RFC 7296 exchanges, both directions; others are refused', () => {
    for (const x of [IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL]) {
      assert.ok(EXCHANGE_RULES[x]!.request.length > 0 && EXCHANGE_RULES[x]!.response.length > 0);
    }
    breaks(99, false, [], false, /EXCHANGE\(99\) request: no payload rules/);
  });
});
