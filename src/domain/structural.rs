//! The scan's first stage, in the style of simdjson: 64 bytes at a time,
//! without a branch per byte, it finds where every token starts. The
//! scanner ([`super::scan`]) then jumps from token to token instead of reading
//! whitespace and string bodies byte by byte.
//!
//! A block's bytes are classified (quote, backslash, structural character,
//! whitespace, control byte, high bit) with SIMD128 in wasm and SSE2 on
//! x86-64, then turned into masks with integer arithmetic: which quotes are
//! escaped (an odd run of backslashes before them), which bytes lie inside a
//! string (a prefix XOR of the quotes), and which bytes outside strings start
//! a token. The state carried from one block to the next is three words.
//!
//! Nothing here decides whether a body is JSON: a mask is only a fast way to
//! the next token, and the scanner checks every token it is given. Invalid
//! JSON can make the masks meaningless; then the scanner's grammar fails, and
//! the body is scanned again byte by byte for the exact error.

/// Bytes per block: one bit of a `u64` each.
pub const BLOCK: usize = 64;

/// Every class of byte the masks are made from, one bit per byte of a block.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Classes {
    /// `"`
    pub quote: u64,
    /// `\`
    pub backslash: u64,
    /// `{ } [ ] : ,`
    pub operator: u64,
    /// Space, tab, line feed, carriage return.
    pub whitespace: u64,
    /// Bytes below 0x20 (whitespace among them).
    pub control: u64,
    /// Bytes of 0x80 and above (UTF-8 beyond ASCII).
    pub high: u64,
}

/// One block's findings.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// Where tokens start: operators and scalars outside strings, and every
    /// unescaped quote (a string's opening and its closing quote).
    pub structural: u64,
    /// Backslashes, control and high bytes inside strings: a string holding
    /// none of them is ASCII without escapes, read as it is.
    pub attention: u64,
}

/// What one block hands to the next.
#[derive(Debug, Default, Clone, Copy)]
pub struct Carry {
    /// The block ended with an odd run of backslashes: its next byte is escaped.
    escaped: u64,
    /// All ones when the block ended inside a string.
    in_string: u64,
    /// The block's last byte belongs to a scalar (a number or a literal).
    scalar: u64,
}

/// The masks of one block from its classes and the previous block's carry.
#[inline(always)]
pub fn block(c: Classes, carry: &mut Carry) -> Block {
    let escaped = escaped_by_backslash(c.backslash, &mut carry.escaped);
    let quotes = c.quote & !escaped;
    // Bits from a string's opening quote up to (not including) its closing one.
    let in_string = prefix_xor(quotes) ^ carry.in_string;
    carry.in_string = ((in_string as i64) >> 63) as u64;
    let outside = !in_string;
    let scalar = outside & !(c.operator | c.whitespace | c.quote);
    let scalar_start = scalar & !((scalar << 1) | carry.scalar);
    carry.scalar = scalar >> 63;
    Block {
        structural: (c.operator & outside) | quotes | scalar_start,
        attention: (c.backslash | c.control | c.high) & in_string,
    }
}

/// The bytes escaped by a backslash: each one after an odd run of
/// backslashes (simdjson's branchless method). `carry` says whether the
/// previous block's last byte started an escape, and is updated.
#[inline(always)]
fn escaped_by_backslash(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    // A backslash escaped by the previous block starts no run of its own.
    let backslash = backslash & !*carry;
    let follows_escape = (backslash << 1) | *carry;
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (even_runs, overflow) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(overflow);
    let invert = even_runs << 1;
    (EVEN ^ invert) & follows_escape
}

/// Each bit XORed with every bit below it: ones from each odd quote to the
/// next even one.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The classes of 64 bytes.
#[inline(always)]
pub fn classify(bytes: &[u8; BLOCK]) -> Classes {
    simd::classify(bytes)
}

/// The classes of 64 bytes, one byte at a time: the reference the vector
/// versions are tested against, and the code on targets without them.
pub fn classify_bytes(bytes: &[u8; BLOCK]) -> Classes {
    let mut c = Classes::default();
    for (i, &b) in bytes.iter().enumerate() {
        let bit = 1u64 << i;
        let set = |mask: &mut u64, yes: bool| *mask |= if yes { bit } else { 0 };
        set(&mut c.quote, b == b'"');
        set(&mut c.backslash, b == b'\\');
        set(&mut c.operator, matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b','));
        set(&mut c.whitespace, matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        set(&mut c.control, b < 0x20);
        set(&mut c.high, b >= 0x80);
    }
    c
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{Classes, BLOCK};
    use core::arch::wasm32::*;

    #[inline(always)]
    pub fn classify(bytes: &[u8; BLOCK]) -> Classes {
        let mut c = Classes::default();
        for i in 0..BLOCK / 16 {
            // SAFETY: 16 bytes at 16·i lie inside the 64-byte array; v128_load
            // has no alignment requirement.
            let v = unsafe { v128_load(bytes.as_ptr().add(16 * i).cast()) };
            let eq = |b: u8| u8x16_eq(v, u8x16_splat(b));
            // `[` and `]` are `{` and `}` without bit 0x20.
            let folded = v128_or(v, u8x16_splat(0x20));
            let operator = v128_or(
                v128_or(u8x16_eq(folded, u8x16_splat(b'{')), u8x16_eq(folded, u8x16_splat(b'}'))),
                v128_or(eq(b':'), eq(b',')),
            );
            let control = u8x16_lt(v, u8x16_splat(0x20));
            let whitespace = v128_or(v128_or(eq(b' '), eq(b'\t')), v128_or(eq(b'\n'), eq(b'\r')));
            let shift = 16 * i;
            c.quote |= u64::from(u8x16_bitmask(eq(b'"'))) << shift;
            c.backslash |= u64::from(u8x16_bitmask(eq(b'\\'))) << shift;
            c.operator |= u64::from(u8x16_bitmask(operator)) << shift;
            c.whitespace |= u64::from(u8x16_bitmask(whitespace)) << shift;
            c.control |= u64::from(u8x16_bitmask(control)) << shift;
            c.high |= u64::from(u8x16_bitmask(v)) << shift;
        }
        c
    }
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{Classes, BLOCK};
    use std::arch::x86_64::*;

    #[inline(always)]
    pub fn classify(bytes: &[u8; BLOCK]) -> Classes {
        let mut c = Classes::default();
        // SAFETY: SSE2 is part of x86-64; every load reads 16 bytes inside the
        // 64-byte array, unaligned loads allowed.
        unsafe {
            for i in 0..BLOCK / 16 {
                let v = _mm_loadu_si128(bytes.as_ptr().add(16 * i).cast());
                let eq = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let operator = _mm_or_si128(
                    _mm_or_si128(
                        _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8)),
                        _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8)),
                    ),
                    _mm_or_si128(eq(b':'), eq(b',')),
                );
                // Unsigned v < 0x20: min(v, 0x1f) == v.
                let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
                let whitespace = _mm_or_si128(_mm_or_si128(eq(b' '), eq(b'\t')), _mm_or_si128(eq(b'\n'), eq(b'\r')));
                let mask = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16) << (16 * i);
                c.quote |= mask(eq(b'"'));
                c.backslash |= mask(eq(b'\\'));
                c.operator |= mask(operator);
                c.whitespace |= mask(whitespace);
                c.control |= mask(control);
                c.high |= mask(v);
            }
        }
        c
    }
}

#[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
mod simd {
    pub use super::classify_bytes as classify;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little deterministic generator: bodies rich in the bytes that matter.
    fn blocks(seed: u64, count: usize) -> Vec<[u8; BLOCK]> {
        const ALPHABET: &[u8] = b"\"\\{}[]:, \t\n\rax0-e.\x01\x1f\x7f\x80\xff\xc3\xa9tn";
        let mut x = seed;
        (0..count)
            .map(|_| {
                let mut b = [0u8; BLOCK];
                for byte in &mut b {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    *byte = if x % 5 == 0 { (x >> 8) as u8 } else { ALPHABET[(x >> 16) as usize % ALPHABET.len()] };
                }
                b
            })
            .collect()
    }

    #[test]
    fn vector_classes_are_the_bytewise_ones() {
        for b in blocks(0x9E37_79B9_7F4A_7C15, 20_000) {
            assert_eq!(classify(&b), classify_bytes(&b), "{b:?}");
        }
    }

    /// The masks of a whole body, one byte at a time, as the scanner of old read it.
    fn reference(body: &[u8]) -> (Vec<bool>, Vec<bool>) {
        let (mut structural, mut attention) = (vec![false; body.len()], vec![false; body.len()]);
        let (mut in_string, mut escape, mut prev_scalar) = (false, false, false);
        for (i, &b) in body.iter().enumerate() {
            if in_string {
                if escape {
                    escape = false;
                    attention[i] = b == b'\\' || b < 0x20 || b >= 0x80;
                } else if b == b'"' {
                    in_string = false;
                    structural[i] = true;
                } else {
                    escape = b == b'\\';
                    attention[i] = b == b'\\' || b < 0x20 || b >= 0x80;
                }
                prev_scalar = false;
                continue;
            }
            // Outside strings a backslash still escapes the next byte.
            if escape {
                escape = false;
                let scalar = !matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',' | b' ' | b'\t' | b'\n' | b'\r' | b'"');
                structural[i] = matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',') || (scalar && !prev_scalar);
                prev_scalar = scalar;
                continue;
            }
            match b {
                b'"' => {
                    in_string = true;
                    structural[i] = true;
                    prev_scalar = false;
                }
                b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                    structural[i] = true;
                    prev_scalar = false;
                }
                b' ' | b'\t' | b'\n' | b'\r' => prev_scalar = false,
                _ => {
                    structural[i] = !prev_scalar;
                    prev_scalar = true;
                    escape = b == b'\\';
                }
            }
        }
        (structural, attention)
    }

    #[test]
    fn masks_match_a_bytewise_reading_across_blocks() {
        let mut seed = 7u64;
        for _ in 0..3_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let body: Vec<u8> = blocks(seed | 1, 3).concat();
            let (want_structural, want_attention) = reference(&body);
            let mut carry = Carry::default();
            for (n, chunk) in body.chunks_exact(BLOCK).enumerate() {
                let got = block(classify(chunk.try_into().unwrap()), &mut carry);
                for i in 0..BLOCK {
                    let at = n * BLOCK + i;
                    assert_eq!(got.structural >> i & 1 == 1, want_structural[at], "structural at {at} of {body:?}");
                    assert_eq!(got.attention >> i & 1 == 1, want_attention[at], "attention at {at} of {body:?}");
                }
            }
        }
    }
}
