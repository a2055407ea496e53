//! XXH64, the checksum a stored record carries: the record is read back by
//! comparing it instead of walking the body again (see [`super::record`]).
//!
//! It detects accidental damage (a truncated write, a flipped byte, another
//! program's text under the key), not forgery: anyone who can write the
//! storage can also compute it. Four independent lanes of 8 bytes keep the
//! multiplier busy, so it runs several times faster than the walk in wasm,
//! without SIMD.

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

#[inline(always)]
fn round(acc: u64, input: u64) -> u64 {
    acc.wrapping_add(input.wrapping_mul(P2)).rotate_left(31).wrapping_mul(P1)
}

#[inline(always)]
fn merge(acc: u64, lane: u64) -> u64 {
    (acc ^ round(0, lane)).wrapping_mul(P1).wrapping_add(P4)
}

#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// XXH64 of `bytes` with `seed`.
pub fn xxh64(bytes: &[u8], seed: u64) -> u64 {
    let mut sum = Xxh64::new(seed);
    sum.update(bytes);
    sum.digest()
}

/// XXH64 taken over pieces as they come: a body or a stored record is summed
/// a window at a time, never whole in wasm memory. The sum of the pieces is
/// the sum of the whole, however it is cut.
pub struct Xxh64 {
    seed: u64,
    lanes: [u64; 4],
    /// Bytes of a 32-byte stripe not yet taken.
    pending: [u8; 32],
    pending_len: usize,
    total: u64,
}

impl Xxh64 {
    /// An empty sum with `seed`.
    pub fn new(seed: u64) -> Xxh64 {
        Xxh64 {
            seed,
            lanes: [seed.wrapping_add(P1).wrapping_add(P2), seed.wrapping_add(P2), seed, seed.wrapping_sub(P1)],
            pending: [0; 32],
            pending_len: 0,
            total: 0,
        }
    }

    /// Adds `bytes`.
    pub fn update(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.pending_len > 0 {
            let take = (32 - self.pending_len).min(bytes.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&bytes[..take]);
            self.pending_len += take;
            bytes = &bytes[take..];
            if self.pending_len < 32 {
                return;
            }
            let stripe = self.pending;
            self.stripe(&stripe);
            self.pending_len = 0;
        }
        let mut stripes = bytes.chunks_exact(32);
        for stripe in &mut stripes {
            self.stripe(stripe);
        }
        let rest = stripes.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.pending_len = rest.len();
    }

    #[inline(always)]
    fn stripe(&mut self, stripe: &[u8]) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane = round(*lane, word(stripe, k * 8));
        }
    }

    /// The sum of everything added.
    pub fn digest(&self) -> u64 {
        let mut h = if self.total >= 32 {
            let [a, b, c, d] = self.lanes;
            let h = a
                .rotate_left(1)
                .wrapping_add(b.rotate_left(7))
                .wrapping_add(c.rotate_left(12))
                .wrapping_add(d.rotate_left(18));
            self.lanes.iter().fold(h, |h, &lane| merge(h, lane))
        } else {
            self.seed.wrapping_add(P5)
        };
        h = h.wrapping_add(self.total);
        let bytes = &self.pending[..self.pending_len];
        let mut at = 0;
        while at + 8 <= bytes.len() {
            h = (h ^ round(0, word(bytes, at))).rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
            at += 8;
        }
        if at + 4 <= bytes.len() {
            let mut w = [0u8; 4];
            w.copy_from_slice(&bytes[at..at + 4]);
            h = (h ^ u64::from(u32::from_le_bytes(w)).wrapping_mul(P1))
                .rotate_left(23)
                .wrapping_mul(P2)
                .wrapping_add(P3);
            at += 4;
        }
        for &byte in &bytes[at..] {
            h = (h ^ u64::from(byte).wrapping_mul(P5)).rotate_left(11).wrapping_mul(P1);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(P2);
        h ^= h >> 29;
        h = h.wrapping_mul(P3);
        h ^ (h >> 32)
    }
}

/// Sixteen lowercase hex digits of a checksum.
pub fn hex(sum: u64) -> String {
    format!("{sum:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // The reference implementation's published values.
        assert_eq!(xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxh64(b"abc", 0), 0x44BC_2CF5_AD77_0999);
    }

    #[test]
    fn every_length_and_byte_counts() {
        // Lengths across the stripe, word, half-word and byte tails.
        let text: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        let sums: Vec<u64> = (0..text.len()).map(|n| xxh64(&text[..n], 7)).collect();
        let mut distinct = sums.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), sums.len(), "a truncation is seen");
        for at in [0, 31, 32, 63, 100, 199] {
            let mut flipped = text.clone();
            flipped[at] ^= 1;
            assert_ne!(xxh64(&flipped, 7), xxh64(&text, 7), "a flipped bit at {at} is seen");
        }
        assert_ne!(xxh64(&text, 7), xxh64(&text, 8), "the seed counts");
        assert_eq!(hex(0xab), "00000000000000ab");
    }

    #[test]
    fn pieces_sum_as_the_whole() {
        let text: Vec<u8> = (0..300u32).map(|i| (i * 91 % 253) as u8).collect();
        for len in [0, 1, 31, 32, 33, 64, 100, 300] {
            let whole = xxh64(&text[..len], 3);
            for cut in [1, 2, 7, 31, 32, 33, 50] {
                let mut sum = Xxh64::new(3);
                for piece in text[..len].chunks(cut) {
                    sum.update(piece);
                }
                assert_eq!(sum.digest(), whole, "{len} bytes in pieces of {cut}");
            }
        }
    }
}
