import { WellKnownCommunity, type LargeCommunity } from '../types.js';
import { PolicyError, PolicyErrorCode } from './errors.js';

/*
 * Communities in the forms operators write them: RFC 1997 `ASN:value` (each 0-65535), a plain
 * 32-bit number, or a well-known name; RFC 8092 large communities as `global:local1:local2`.
 */

const WELL_KNOWN_NAMES: Record<string, number> = {
  'no-export': WellKnownCommunity.NoExport,
  'no-advertise': WellKnownCommunity.NoAdvertise,
  'no-export-subconfed': WellKnownCommunity.NoExportSubconfed,
  'local-as': WellKnownCommunity.NoExportSubconfed,
};

const U16 = /^(0|[1-9][0-9]{0,4})$/;
const U32 = /^(0|[1-9][0-9]{0,9})$/;

export function parseCommunity(text: string): number {
  const named = WELL_KNOWN_NAMES[text.toLowerCase()];
  if (named !== undefined) return named;
  const parts = text.split(':');
  if (parts.length === 2 && U16.test(parts[0]!) && U16.test(parts[1]!)) {
    const hi = Number(parts[0]);
    const lo = Number(parts[1]);
    if (hi <= 0xffff && lo <= 0xffff) return hi * 0x10000 + lo;
  }
  if (parts.length === 1 && U32.test(text) && Number(text) <= 0xffffffff) return Number(text);
  throw new PolicyError(PolicyErrorCode.BadCommunity, `community '${text}'`,
    "expected ASN:value with each part 0-65535, a 32-bit number, or no-export / no-advertise / no-export-subconfed");
}

export function formatCommunity(value: number): string {
  switch (value) {
    case WellKnownCommunity.NoExport: return 'no-export';
    case WellKnownCommunity.NoAdvertise: return 'no-advertise';
    case WellKnownCommunity.NoExportSubconfed: return 'no-export-subconfed';
    default: return `${Math.floor(value / 0x10000)}:${value % 0x10000}`;
  }
}

export function parseLargeCommunity(text: string): LargeCommunity {
  const parts = text.split(':');
  if (parts.length === 3 && parts.every((p) => U32.test(p) && Number(p) <= 0xffffffff)) {
    return { globalAdmin: Number(parts[0]), localData1: Number(parts[1]), localData2: Number(parts[2]) };
  }
  throw new PolicyError(PolicyErrorCode.BadCommunity, `large community '${text}'`, 'expected global:local1:local2, each a 32-bit number');
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

export function largeCommunitiesEqual(a: LargeCommunity, b: LargeCommunity): boolean {
  return a.globalAdmin === b.globalAdmin && a.localData1 === b.localData1 && a.localData2 === b.localData2;
}
