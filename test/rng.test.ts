import { describe, expect, it } from 'vitest';
import { mulhi, philox, threefry, uniform01 } from '../src/model/rng';

// Known-answer vectors of Random123's philox4x32_10 (kat_vectors).
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

describe('philox4x32-10', () => {
  it.each(KAT)('matches the Random123 known answer for counter %j', (c, k, expected) => {
    expect(philox(c as [number, number, number, number], k as [number, number])).toEqual(expected);
  });

  it('mulhi equals the BigInt product', () => {
    for (const [a, b] of [[0xffffffff, 0xffffffff], [0xd2511f53, 0x12345678], [1, 1], [0x80000000, 2]]) {
      expect(mulhi(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  it('maps to [0, 1) with 24-bit resolution', () => {
    expect(uniform01(0)).toBe(0);
    expect(uniform01(0xffffffff)).toBe(1 - 2 ** -24);
  });
});

// Known-answer vectors of Random123's threefry4x32_20 (kat_vectors): counter, key, result.
const THREEFRY_KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0, 0, 0], [0x9c6ca96a, 0xe17eae66, 0xfc10ecd4, 0x5256a7d8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0x2a881696, 0x57012287, 0xf6c7446e, 0xa16a6732]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89], [0x59cd1dbb, 0xb8879579, 0x86b5d00c, 0xac8b6d84]],
];

describe('threefry4x32-20', () => {
  it.each(THREEFRY_KAT)('matches the Random123 known answer for counter %j', (c, k, expected) => {
    expect(threefry(c as [number, number, number, number], k as [number, number, number, number])).toEqual(expected);
  });
});
