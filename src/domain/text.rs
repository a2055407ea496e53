//! Small text helpers for messages, written by hand so that the wasm build
//! carries neither the Unicode tables of `str::escape_debug` nor the float
//! formatting of `core::fmt` (about 20 KB together, see BENCHMARKS.md), nor a
//! float formatting crate with its tables of powers of ten. Numbers that are
//! not whole are the one thing the wasm build hands to JavaScript (see
//! [`number_text`]): the engine writes them as `String(n)` does, by definition.

use std::fmt::{self, Display, Write};

/// A string shown inside double quotes in a message, with quotes, backslashes,
/// control characters and invisible formatting characters escaped.
pub struct Escaped<'a>(&'a str);

/// Escaping of text quoted in messages (see [`Escaped`]).
pub trait EscapeText {
    /// The text with `"`, `'`, `\`, control characters and invisible
    /// formatting characters escaped, as `str::escape_debug` escapes them;
    /// other characters are kept as they are.
    fn escape_text(&self) -> Escaped<'_>;
}

impl EscapeText for str {
    fn escape_text(&self) -> Escaped<'_> {
        Escaped(self)
    }
}

/// Characters that print as nothing or reorder text (zero-width, bidi
/// controls, line and paragraph separators, the byte order mark): shown
/// escaped so that a message says what the value really holds.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

impl Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '"' | '\'' | '\\' => {
                    f.write_char('\\')?;
                    f.write_char(c)?;
                }
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\0' => f.write_str("\\0")?,
                c if c.is_control() || is_invisible(c) => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// Where `needle` first occurs in `text`. A plain scan: the texts searched
/// are short (a header, a URL, a message), and `str::find` with a string
/// pattern brings its two-way searcher into the wasm build (about 1 KB of gzip).
pub fn find_text(text: &str, needle: &str) -> Option<usize> {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return Some(0);
    }
    (0..text.len().checked_sub(needle.len())? + 1).find(|&i| text[i..].starts_with(needle))
}

/// A whole number written in decimal, read as `str::parse::<u64>` reads it (an
/// optional `+`, then at least one ASCII digit; `None` past `u64::MAX`). One
/// reader for every integer the client parses (header values, dates): each
/// `parse::<T>` of std brings its own radix parser into the wasm build.
pub fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, b| {
        let digit = b.wrapping_sub(b'0');
        (digit < 10).then_some(())?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// [`parse_u64`] for a narrower type: `None` where `parse::<T>` has none
/// (a sign `T` cannot hold aside, which the callers' ranges reject anyway).
pub fn parse_int<T: TryFrom<u64>>(text: &str) -> Option<T> {
    T::try_from(parse_u64(text)?).ok()
}

/// `text` with every occurrence of `needle` (not empty), left to right and
/// not overlapping, replaced by `with`: `str::replace` without the two-way searcher.
pub fn replace_text(text: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find_text(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(&rest[..i]);
        out.push_str(with);
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// A number as a message shows it: whole numbers in full (`3`, `-0`,
/// `100000000000000000000`), `NaN` and `Infinity` as JavaScript names them,
/// other values as JavaScript's `String(n)` writes them: the shortest digits
/// that read back as the same number, in fixed notation from `1e-6` up to
/// `1e21` (`1.5`, `0.000001`) and in exponent notation outside it (`1e-7`,
/// `1.5e+21`).
pub fn number_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v < 0.0 { "-Infinity" } else { "Infinity" }.to_owned()
    } else if v.fract() == 0.0 && v.abs() < 1e21 {
        let sign = if v.is_sign_negative() { "-" } else { "" };
        format!("{sign}{}", whole_text(v.abs()))
    } else {
        fraction_text(v)
    }
}

/// A finite number that is not whole or not below 1e21, as `String(n)`
/// writes it. In the wasm build the engine's own `Number.prototype.toString`
/// writes it: that is what `String(n)` is, and it costs the module one import
/// instead of the printer below (about 3 KB of gzip). Native builds (and the
/// tests of the printer) use the printer.
#[cfg(target_arch = "wasm32")]
fn fraction_text(v: f64) -> String {
    js_sys::Number::from(v).to_string_with_radix(10).map(String::from).unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
fn fraction_text(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let (digits, point) = shortest_digits(v.abs());
    format!("{sign}{}", js_notation(&digits, point))
}

/// Shortest digits `d1 d2 ... dn` (ASCII) and the position `k` of the decimal
/// point with `v = 0.d1 d2 ... dn * 10^k`, for a finite `v > 0`: the fewest
/// digits that read back as `v` (ties broken towards the digits nearer to `v`).
///
/// The free-format algorithm of Steele & White as refined by Burger & Dybvig
/// ("Printing floating-point numbers quickly and accurately", 1996), in exact
/// big-integer arithmetic: no tables, a few hundred bytes of code. It runs only
/// to write a message, so it favours size over speed.
#[cfg(not(target_arch = "wasm32"))]
fn shortest_digits(v: f64) -> (Vec<u8>, i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // v = f * 2^e exactly.
    let (f, e) = if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
    // Reading a decimal rounds half to even, so the halfway points between v and
    // its neighbours read back as v when its significand is even.
    let even = f % 2 == 0;
    // The gap below v is half the gap above when v is a power of two (but not
    // the smallest normal, whose lower neighbour is subnormal with the same gap).
    let uneven_gaps = f == 1 << 52 && biased > 1;
    // v = r / s; the neighbours are v - m_minus / s and v + m_plus / s, all scaled by 2
    // (or 4) so that the halfway points r ± m / 2 are whole numbers.
    let (mut r, mut s, mut m_plus, mut m_minus);
    let scale = u32::from(uneven_gaps);
    if e >= 0 {
        r = Big::from(f).shl(e as u32 + 1 + scale);
        s = Big::from(2).shl(scale);
        m_plus = Big::from(1).shl(e as u32 + scale);
        m_minus = Big::from(1).shl(e as u32);
    } else {
        r = Big::from(f).shl(1 + scale);
        s = Big::from(1).shl((1 - e) as u32 + scale);
        m_plus = Big::from(1).shl(scale);
        m_minus = Big::from(1);
    }
    // The high end is r + m_plus; with an even significand it reads back as v.
    let above = |r: &Big, m: &Big, s: &Big| {
        let high = r.add(m);
        if even {
            high.cmp(s).is_ge()
        } else {
            high.cmp(s).is_gt()
        }
    };
    // Scale so that the first digit is the first after the point: the high end
    // below 1 (or at most 1, when it is excluded), and at least 0.1.
    let mut k = 0;
    while above(&r, &m_plus, &s) {
        s.mul_small(10);
        k += 1;
    }
    loop {
        let mut high = r.add(&m_plus);
        high.mul_small(10);
        if above(&Big::default(), &high, &s) {
            break;
        }
        r.mul_small(10);
        m_plus.mul_small(10);
        m_minus.mul_small(10);
        k -= 1;
    }
    let mut digits = Vec::new();
    loop {
        r.mul_small(10);
        m_plus.mul_small(10);
        m_minus.mul_small(10);
        let mut d = 0u8;
        while r.cmp(&s).is_ge() {
            r.sub(&s);
            d += 1;
        }
        let low_ok = if even { r.cmp(&m_minus).is_le() } else { r.cmp(&m_minus).is_lt() };
        let high_ok = above(&r, &m_plus, &s);
        match (low_ok, high_ok) {
            (false, false) => {
                digits.push(b'0' + d);
                continue;
            }
            (true, false) => {}
            (false, true) => d += 1,
            (true, true) => {
                // Both d and d + 1 read back as v: the nearer one, the even one on a tie.
                let twice = r.add(&r);
                match twice.cmp(&s) {
                    std::cmp::Ordering::Greater => d += 1,
                    std::cmp::Ordering::Equal => d += d % 2,
                    std::cmp::Ordering::Less => {}
                }
            }
        }
        digits.push(b'0' + d);
        return (digits, k);
    }
}

/// Digits and point position (see [`shortest_digits`]) in the notation of
/// JavaScript's `Number.prototype.toString` (ECMAScript, Number::toString).
#[cfg(not(target_arch = "wasm32"))]
fn js_notation(digits: &[u8], point: i32) -> String {
    let text = |d: &[u8]| d.iter().map(|&b| b as char).collect::<String>();
    let n = digits.len() as i32;
    if n <= point && point <= 21 {
        format!("{}{}", text(digits), "0".repeat((point - n) as usize))
    } else if 0 < point && point <= 21 {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{}.{}", text(whole), text(fraction))
    } else if -6 < point && point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), text(digits))
    } else {
        let exponent = point - 1;
        let sign = if exponent < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { String::new() } else { format!(".{}", text(rest)) };
        format!("{}{rest}e{sign}{}", text(first), exponent.unsigned_abs())
    }
}

/// A non-negative big integer: little-endian base-2^32 limbs, no leading zero
/// limbs. Only what [`shortest_digits`] needs (values stay below 2^1200).
#[derive(Clone, Default)]
#[cfg(not(target_arch = "wasm32"))]
struct Big(Vec<u32>);

#[cfg(not(target_arch = "wasm32"))]
impl From<u64> for Big {
    fn from(v: u64) -> Self {
        let mut big = Big(vec![v as u32, (v >> 32) as u32]);
        big.trim();
        big
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Big {
    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// `self * 2^n`.
    fn shl(mut self, n: u32) -> Big {
        let (limbs, bits) = ((n / 32) as usize, n % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let wide = (u64::from(*limb) << bits) | carry;
                *limb = wide as u32;
                carry = wide >> 32;
            }
            self.0.push(carry as u32);
        }
        self.0.splice(0..0, std::iter::repeat(0).take(limbs));
        self.trim();
        self
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let wide = u64::from(*limb) * u64::from(m) + carry;
            *limb = wide as u32;
            carry = wide >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn add(&self, other: &Big) -> Big {
        let (long, short) = if self.0.len() >= other.0.len() { (self, other) } else { (other, self) };
        let mut out = Vec::with_capacity(long.0.len() + 1);
        let mut carry = 0u64;
        for (i, limb) in long.0.iter().enumerate() {
            let wide = u64::from(*limb) + u64::from(short.0.get(i).copied().unwrap_or(0)) + carry;
            out.push(wide as u32);
            carry = wide >> 32;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        Big(out)
    }

    /// `self - other`, for `other <= self`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let wide = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            *limb = wide as u32;
            borrow = i64::from(wide < 0);
        }
        self.trim();
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

/// A whole, non-negative `v` below 1e21 in full, with u64 arithmetic only
/// (u128 formatting would cost the wasm build about 1.5 KB).
fn whole_text(v: f64) -> String {
    if v < 18_446_744_073_709_551_616.0 {
        return (v as u64).to_string();
    }
    // From 2^64 on, an f64 is a multiple of 2^12, so v = q * 2048 exactly with
    // q < 1e21 / 2048 < 2^59. Multiply by 2048 in base 10^9 limbs.
    let q = (v / 2048.0) as u64;
    let (q_high, q_low) = (q / 1_000_000_000, q % 1_000_000_000);
    let low = q_low * 2048;
    let high = q_high * 2048 + low / 1_000_000_000;
    format!("{high}{:09}", low % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_escape_debug_for_ascii() {
        for s in ["plain", "a\"b", "it's", "back\\slash", "a\nb\r\tc", "nul\0", "bell\u{7}", "del\u{7f}"] {
            assert_eq!(s.escape_text().to_string(), s.escape_debug().to_string(), "{s:?}");
        }
    }

    #[test]
    fn keeps_printable_unicode_and_escapes_invisible_characters() {
        assert_eq!("gpt-4o é € 😀".escape_text().to_string(), "gpt-4o é € 😀");
        assert_eq!(
            "a\u{200B}b\u{202E}c\u{FEFF}\u{85}".escape_text().to_string(),
            "a\\u{200b}b\\u{202e}c\\u{feff}\\u{85}"
        );
    }

    #[test]
    fn reads_integers_like_str_parse() {
        for text in
            ["", "+", "-", "0", "+7", "-7", "007", "12a", " 1", "1 ", "18446744073709551615", "18446744073709551616"]
        {
            assert_eq!(parse_u64(text), text.parse::<u64>().ok(), "{text:?}");
            assert_eq!(parse_int::<u32>(text), text.parse::<u32>().ok(), "{text:?}");
        }
        assert_eq!(parse_int::<u32>("4294967296"), None);
    }

    #[test]
    fn finds_and_replaces_like_str() {
        for (text, needle) in
            [("a, b, c", ", "), ("abc", "abcd"), ("", "x"), ("xx", ""), ("aaa", "aa"), ("https://h", "://")]
        {
            assert_eq!(find_text(text, needle), text.find(needle), "{text:?} {needle:?}");
        }
        for (text, needle) in
            [("k sk-1 and sk-1", "sk-1"), ("aaaa", "aa"), ("none", "sk"), ("sk", "sk"), ("é sk é", "sk")]
        {
            assert_eq!(replace_text(text, needle, "[k]"), text.replace(needle, "[k]"), "{text:?}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(-5.0), "-5");
        assert_eq!(number_text(-0.0), "-0");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(9007199254740993.0), format!("{:.0}", 9007199254740993.0f64));
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(f64::NAN), "NaN");
        assert_eq!(number_text(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(number_text(1e21), "1e+21");
        let mut v = 18_446_744_073_709_551_616.0f64;
        while v < 1e21 {
            for x in [v, v * 1.37, v * 3.999_999_9] {
                let x = x.trunc();
                if x < 1e21 {
                    assert_eq!(number_text(x), format!("{x:.0}"));
                    assert_eq!(number_text(-x), format!("{:.0}", -x));
                }
            }
            v *= 2.0;
        }
        assert_eq!(number_text(999_999_999_999_999_868_928.0), "999999999999999868928");
        assert_eq!(number_text(18_446_744_073_709_549_568.0), "18446744073709549568");
    }

    #[test]
    fn fractions_and_large_numbers_as_javascript_writes_them() {
        // String(n) in Node 20 for each of these.
        for (v, js) in [
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.3, "0.3"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123.456, "123.456"),
            (0.000123, "0.000123"),
            (0.00001, "0.00001"),
            (0.00001234, "0.00001234"),
            (1e-6, "0.000001"),
            (1.5e-6, "0.0000015"),
            (1e-7, "1e-7"),
            (-1e-7, "-1e-7"),
            (2.5e-10, "2.5e-10"),
            (1e-300, "1e-300"),
            (5e-324, "5e-324"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (2.225073858507201e-308, "2.225073858507201e-308"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1e22, "1e+22"),
            (1e100, "1e+100"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (4503599627370495.5, "4503599627370495.5"),
            (0.5, "0.5"),
            (9.5, "9.5"),
            (99.99, "99.99"),
        ] {
            assert_eq!(number_text(v), js, "{v:e}");
        }
    }

    /// What `number_text` must print for `v`, from Rust's own shortest
    /// round-trip digits (`{:e}`), placed as JavaScript places them.
    #[cfg(not(target_arch = "wasm32"))]
    fn reference(v: f64) -> String {
        let text = format!("{:e}", v.abs());
        let (mantissa, exponent) = text.split_once('e').unwrap();
        let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        let point = exponent.parse::<i32>().unwrap() + 1;
        format!("{}{}", if v < 0.0 { "-" } else { "" }, js_notation(&digits, point))
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn shortest_digits_agree_with_rust_on_many_numbers() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut checked, mut ties) = (0, 0);
        for i in 0..40_000u32 {
            let v = match i % 4 {
                // Any bit pattern: every exponent, subnormals included.
                0 | 1 => f64::from_bits(next()),
                // Short decimals, where a wrong last digit would show.
                2 => (next() % 1_000_000) as f64 / 10f64.powi((next() % 12) as i32),
                // Powers of two: the uneven gaps around them.
                _ => 2f64.powi((next() % 2098) as i32 - 1074),
            };
            if !v.is_finite() || v == 0.0 || (v.fract() == 0.0 && v.abs() < 1e21) {
                continue;
            }
            let (ours, rust) = (number_text(v), reference(v));
            if ours != rust {
                // Rust rounds an exact tie between two shortest candidates up,
                // JavaScript to the even one (2^-25 is 2.9802322387695312e-8 in JS).
                let exact = format!("{:.800e}", v.abs());
                let exact: Vec<u8> = exact.split_once('e').unwrap().0.bytes().filter(u8::is_ascii_digit).collect();
                let exact = &exact[..exact.iter().rposition(|&d| d != b'0').unwrap() + 1];
                let shortest =
                    rust.split_once('e').map_or(&rust[..], |(m, _)| m).bytes().filter(u8::is_ascii_digit).count();
                assert!(exact.len() == shortest + 1 && exact.ends_with(b"5"), "{v:e}: {ours} vs {rust}");
                let last = ours.split_once('e').map_or(&ours[..], |(m, _)| m).bytes().last().unwrap();
                assert_eq!((last - b'0') % 2, 0, "{v:e}: {ours} rounds a tie to even");
                ties += 1;
            }
            assert_eq!(ours.parse::<f64>().unwrap(), v, "{ours} reads back");
            checked += 1;
        }
        assert!(checked > 30_000);
        assert!(ties < 100, "{ties} ties");
    }
}
