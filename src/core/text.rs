//! Small text helpers for messages, written by hand so that the wasm build
//! carries neither the Unicode tables of `str::escape_debug` nor the float
//! formatting of `core::fmt` (about 20 KB together, see BENCHMARKS.md).

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
        // Exact: a whole f64 below 1e21 < 2^70 fits a u128.
        let magnitude = v.abs() as u128;
        if v.is_sign_negative() { format!("-{magnitude}") } else { magnitude.to_string() }
    } else {
        // serde_json's shortest form; that formatter is in the build already.
        serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string())
    }
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
    }
}
