//! Small text helpers for messages, written by hand so that the wasm build
//! carries neither the Unicode tables of `str::escape_debug` nor the float
//! formatting of `domain::fmt` (about 20 KB together, see BENCHMARKS.md).

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

/// A number as a message shows it: whole numbers in full (`3`, `-0`,
/// `100000000000000000000`), `NaN` and `Infinity` as JavaScript names them,
/// other values in shortest round-trip form (`1.5`, `1e-7`).
pub fn number_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v < 0.0 { "-Infinity" } else { "Infinity" }.to_owned()
    } else if v.fract() == 0.0 && v.abs() < 1e21 {
        let sign = if v.is_sign_negative() { "-" } else { "" };
        format!("{sign}{}", whole_text(v.abs()))
    } else {
        // serde_json's shortest form; that formatter is in the build already.
        serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string())
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
        assert_eq!("a\u{200B}b\u{202E}c\u{FEFF}\u{85}".escape_text().to_string(), "a\\u{200b}b\\u{202e}c\\u{feff}\\u{85}");
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
}
