/** Lower-case hex of a byte string, two digits per byte, no separator (what logs and key files print). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
