/**
 * The few C printf conversions the kernel and iproute2 use for the outputs the simulator renders,
 * with C's semantics (glibc): widths pad with spaces, `%.2f` rounds the exact binary value half to
 * even, `%g` keeps 6 significant digits and drops trailing zeros.
 */

/** `%-Ns` (left) or `%Ns` (right): pads to at least `width` characters, never truncates. */
export const padLeftAligned = (text: string, width: number) => text.padEnd(width, ' ');
export const padRightAligned = (text: string, width: number) => text.padStart(width, ' ');

/** `%.Nf` of a double, as glibc prints it (the exact binary value, ties to even). */
export function cFixed(value: number, digits: number): string {
  const exact = value.toFixed(Math.min(100, digits + 40));
  const [whole, fraction = ''] = exact.split('.');
  const kept = fraction.slice(0, digits);
  const rest = fraction.slice(digits);
  let rounded = BigInt(`${whole.replace('-', '')}${kept}`);
  const half = rest.length > 0 && rest[0] === '5' && /^5?0*$/.test(rest);
  if (rest.length > 0 && (rest[0] > '5' || (rest[0] === '5' && !half) || (half && rounded % 2n === 1n))) rounded += 1n;
  const digitsText = rounded.toString().padStart(digits + 1, '0');
  const sign = value < 0 && rounded !== 0n ? '-' : '';
  return digits === 0 ? `${sign}${digitsText}` : `${sign}${digitsText.slice(0, -digits)}.${digitsText.slice(-digits)}`;
}

/** `%g` of a double: precision 6, %e when the exponent is < -4 or >= 6, trailing zeros removed. */
export function cG(value: number): string {
  if (value === 0) return '0';
  const exponent = Number(value.toExponential(5).split('e')[1]);
  const strip = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, exp] = value.toExponential(5).split('e');
    const e = Number(exp);
    return `${strip(mantissa)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return strip(cFixed(value, Math.max(0, 5 - exponent)));
}

/** `%08X` of a 32-bit value. */
export const hex8 = (value: number) => (value >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** An IPv4 address as the kernel prints a __be32 with %08X on a little-endian host. */
export function be32Hex(address: string): string {
  const [a, b, c, d] = address.split('.').map(Number);
  return hex8(a | (b << 8) | (c << 16) | (d << 24));
}
