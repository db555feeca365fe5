/*
 * IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" registries that IKE messages carry
 * (https://www.iana.org/assignments/ikev2-parameters; RFC 7296 §3 unless noted). Transform
 * registries (encryption, PRF, integrity, DH groups) live in src/crypto/iana.ts, shared with ESP.
 * Keys are the registries' own names, so logs, code and RFC text read alike.
 */

/** Exchange Types (RFC 7296 §3.1). */
export const ExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
  /** RFC 5723 §4.3.1. */
  IKE_SESSION_RESUME: 38,
  /** RFC 9242 §3. */
  IKE_INTERMEDIATE: 43,
  /** RFC 9370 §2.2.3. */
  IKE_FOLLOWUP_KE: 44,
} as const;
export type ExchangeType = (typeof ExchangeType)[keyof typeof ExchangeType];

/** Payload Types (RFC 7296 §3.2); 0 ends a chain. */
export const PayloadType = {
  NONE: 0,
  SA: 33,
  KE: 34,
  IDi: 35,
  IDr: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  NONCE: 40,
  NOTIFY: 41,
  DELETE: 42,
  VENDOR_ID: 43,
  TSi: 44,
  TSr: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
  /** RFC 7383 §2.5: Encrypted and Authenticated Fragment. */
  SKF: 53,
} as const;
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType];

/** IKE header flags (RFC 7296 §3.1); the other five bits are reserved. */
export const HeaderFlag = {
  /** Set by the original initiator of the IKE SA. */
  INITIATOR: 0x08,
  /** "Can speak a higher major version": MUST be clear for IKEv2 senders. */
  VERSION: 0x10,
  RESPONSE: 0x20,
} as const;

/** Security Protocol Identifiers (RFC 7296 §3.3.1); 0 means "none" in Notify payloads. */
export const ProtocolId = {
  NONE: 0,
  IKE: 1,
  AH: 2,
  ESP: 3,
} as const;
export type ProtocolId = (typeof ProtocolId)[keyof typeof ProtocolId];

/** SPI sizes (RFC 7296 §3.3.1): IKE SA SPIs are 8 octets, AH/ESP ones 4. */
export const IKE_SPI_SIZE = 8;
export const CHILD_SPI_SIZE = 4;

/** Identification Types (RFC 7296 §3.5; RFC 7619 for ID_NULL). */
export const IdType = {
  IPV4_ADDR: 1,
  FQDN: 2,
  RFC822_ADDR: 3,
  IPV6_ADDR: 5,
  DER_ASN1_DN: 9,
  DER_ASN1_GN: 10,
  KEY_ID: 11,
  NULL: 13,
} as const;
export type IdType = (typeof IdType)[keyof typeof IdType];

/** Authentication Methods (RFC 7296 §3.8; RFC 4754 ECDSA; RFC 7619 NULL; RFC 7427). */
export const AuthMethod = {
  RSA_SIGNATURE: 1,
  SHARED_KEY_MIC: 2,
  DSS_SIGNATURE: 3,
  ECDSA_SHA256_P256: 9,
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  /** RFC 6467. */
  GENERIC_SECURE_PASSWORD: 12,
  NULL: 13,
  DIGITAL_SIGNATURE: 14,
} as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

/** Certificate Encodings (RFC 7296 §3.6) used by CERT and CERTREQ. */
export const CertEncoding = {
  PKCS7_X509: 1,
  PGP: 2,
  DNS_SIGNED_KEY: 3,
  X509_SIGNATURE: 4,
  KERBEROS_TOKEN: 6,
  CRL: 7,
  ARL: 8,
  SPKI: 9,
  X509_ATTRIBUTE: 10,
  RAW_RSA_KEY: 11,
  HASH_URL_X509_CERT: 12,
  HASH_URL_X509_BUNDLE: 13,
  /** RFC 7670. */
  RAW_PUBLIC_KEY: 15,
} as const;

/**
 * Notify Message Types (RFC 7296 §3.10.1 and the IANA registry). 0–16383 are errors: an
 * unrecognised one in a response means the request failed; 16384 and up are status types,
 * ignored when not recognised.
 */
export const NotifyType = {
  UNSUPPORTED_CRITICAL_PAYLOAD: 1,
  INVALID_IKE_SPI: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_SYNTAX: 7,
  INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11,
  NO_PROPOSAL_CHOSEN: 14,
  INVALID_KE_PAYLOAD: 17,
  AUTHENTICATION_FAILED: 24,
  SINGLE_PAIR_REQUIRED: 34,
  NO_ADDITIONAL_SAS: 35,
  INTERNAL_ADDRESS_FAILURE: 36,
  FAILED_CP_REQUIRED: 37,
  TS_UNACCEPTABLE: 38,
  INVALID_SELECTORS: 39,
  /** RFC 4555 (MOBIKE). */
  UNACCEPTABLE_ADDRESSES: 40,
  UNEXPECTED_NAT_DETECTED: 41,
  /** RFC 5026. */
  USE_ASSIGNED_HoA: 42,
  TEMPORARY_FAILURE: 43,
  CHILD_SA_NOT_FOUND: 44,
  /** G-IKEv2 (draft-ietf-ipsecme-g-ikev2). */
  INVALID_GROUP_ID: 45,
  AUTHORIZATION_FAILED: 46,
  /** RFC 9370 §2.2.4. */
  STATE_NOT_FOUND: 47,

  INITIAL_CONTACT: 16384,
  SET_WINDOW_SIZE: 16385,
  ADDITIONAL_TS_POSSIBLE: 16386,
  IPCOMP_SUPPORTED: 16387,
  NAT_DETECTION_SOURCE_IP: 16388,
  NAT_DETECTION_DESTINATION_IP: 16389,
  COOKIE: 16390,
  USE_TRANSPORT_MODE: 16391,
  HTTP_CERT_LOOKUP_SUPPORTED: 16392,
  REKEY_SA: 16393,
  ESP_TFC_PADDING_NOT_SUPPORTED: 16394,
  NON_FIRST_FRAGMENTS_ALSO: 16395,
  /** RFC 4555. */
  MOBIKE_SUPPORTED: 16396,
  ADDITIONAL_IP4_ADDRESS: 16397,
  ADDITIONAL_IP6_ADDRESS: 16398,
  NO_ADDITIONAL_ADDRESSES: 16399,
  UPDATE_SA_ADDRESSES: 16400,
  COOKIE2: 16401,
  NO_NATS_ALLOWED: 16402,
  /** RFC 4478. */
  AUTH_LIFETIME: 16403,
  /** RFC 4739. */
  MULTIPLE_AUTH_SUPPORTED: 16404,
  ANOTHER_AUTH_FOLLOWS: 16405,
  /** RFC 5685. */
  REDIRECT_SUPPORTED: 16406,
  REDIRECT: 16407,
  REDIRECTED_FROM: 16408,
  /** RFC 5723. */
  TICKET_LT_OPAQUE: 16409,
  TICKET_REQUEST: 16410,
  TICKET_ACK: 16411,
  TICKET_NACK: 16412,
  TICKET_OPAQUE: 16413,
  LINK_ID: 16414,
  USE_WESP_MODE: 16415,
  ROHC_SUPPORTED: 16416,
  EAP_ONLY_AUTHENTICATION: 16417,
  /** RFC 6023. */
  CHILDLESS_IKEV2_SUPPORTED: 16418,
  QUICK_CRASH_DETECTION: 16419,
  IKEV2_MESSAGE_ID_SYNC_SUPPORTED: 16420,
  IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED: 16421,
  IKEV2_MESSAGE_ID_SYNC: 16422,
  IPSEC_REPLAY_COUNTER_SYNC: 16423,
  SECURE_PASSWORD_METHODS: 16424,
  PSK_PERSIST: 16425,
  PSK_CONFIRM: 16426,
  ERX_SUPPORTED: 16427,
  IFOM_CAPABILITY: 16428,
  SENDER_REQUEST_ID: 16429,
  /** RFC 7383. */
  IKEV2_FRAGMENTATION_SUPPORTED: 16430,
  /** RFC 7427. */
  SIGNATURE_HASH_ALGORITHMS: 16431,
  CLONE_IKE_SA_SUPPORTED: 16432,
  CLONE_IKE_SA: 16433,
  PUZZLE: 16434,
  USE_PPK: 16435,
  PPK_IDENTITY: 16436,
  NO_PPK_AUTH: 16437,
  /** RFC 9242. */
  INTERMEDIATE_EXCHANGE_SUPPORTED: 16438,
  IP4_ALLOWED: 16439,
  IP6_ALLOWED: 16440,
  /** RFC 9370. */
  ADDITIONAL_KEY_EXCHANGE: 16441,
  /** RFC 9347. */
  USE_AGGFRAG: 16442,
} as const;
export type NotifyType = (typeof NotifyType)[keyof typeof NotifyType];

/** Notify types below this are errors, the rest status (RFC 7296 §3.10.1). */
export const FIRST_STATUS_NOTIFY = 16384;

export function isErrorNotify(type: number): boolean {
  return type < FIRST_STATUS_NOTIFY;
}

/** Traffic Selector Types (RFC 7296 §3.13.1). */
export const TsType = {
  TS_IPV4_ADDR_RANGE: 7,
  TS_IPV6_ADDR_RANGE: 8,
  /** RFC 4595. */
  TS_FC_ADDR_RANGE: 9,
  /** RFC 9478. */
  TS_SECLABEL: 10,
} as const;

/** IKEv2 Configuration Payload CFG Types (RFC 7296 §3.15). */
export const CfgType = {
  CFG_REQUEST: 1,
  CFG_REPLY: 2,
  CFG_SET: 3,
  CFG_ACK: 4,
} as const;

/** Configuration Payload Attribute Types (RFC 7296 §3.15.1; RFC 8598 for INTERNAL_DNS_DOMAIN). */
export const CfgAttribute = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
  INTERNAL_DNS_DOMAIN: 25,
} as const;

function reverse(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const [name, value] of Object.entries(table)) if (!out.has(value)) out.set(value, name);
  return out;
}

const NOTIFY_NAMES = reverse(NotifyType);
const EXCHANGE_NAMES = reverse(ExchangeType);
const PROTOCOL_NAMES = reverse(ProtocolId);
const ID_NAMES = reverse(IdType);
const AUTH_NAMES = reverse(AuthMethod);

/** The registry name of a notify type (`17` → `INVALID_KE_PAYLOAD`), or `NOTIFY(n)` when unassigned here. */
export function notifyName(type: number): string {
  return NOTIFY_NAMES.get(type) ?? `NOTIFY(${type})`;
}

/** `IKE_SA_INIT`, or `EXCHANGE(n)`. */
export function exchangeName(type: number): string {
  return EXCHANGE_NAMES.get(type) ?? `EXCHANGE(${type})`;
}

/**
 * The short names RFC 7296 writes messages with (and strongSwan logs them with): SA, KE, IDi,
 * IDr, CERT, CERTREQ, AUTH, No (nonce), N (notify), D (delete), V (vendor ID), TSi, TSr, SK, CP,
 * EAP, SKF; `PAYLOAD(n)` otherwise.
 */
const PAYLOAD_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [PayloadType.SA, 'SA'], [PayloadType.KE, 'KE'], [PayloadType.IDi, 'IDi'], [PayloadType.IDr, 'IDr'],
  [PayloadType.CERT, 'CERT'], [PayloadType.CERTREQ, 'CERTREQ'], [PayloadType.AUTH, 'AUTH'],
  [PayloadType.NONCE, 'No'], [PayloadType.NOTIFY, 'N'], [PayloadType.DELETE, 'D'], [PayloadType.VENDOR_ID, 'V'],
  [PayloadType.TSi, 'TSi'], [PayloadType.TSr, 'TSr'], [PayloadType.SK, 'SK'], [PayloadType.CP, 'CP'],
  [PayloadType.EAP, 'EAP'], [PayloadType.SKF, 'SKF'],
]);

export function payloadName(type: number): string {
  return PAYLOAD_NAMES.get(type) ?? `PAYLOAD(${type})`;
}

export function protocolName(id: number): string {
  return PROTOCOL_NAMES.get(id) ?? `PROTO(${id})`;
}

export function idTypeName(type: number): string {
  return ID_NAMES.get(type) ?? `ID(${type})`;
}

export function authMethodName(method: number): string {
  return AUTH_NAMES.get(method) ?? `AUTH(${method})`;
}
