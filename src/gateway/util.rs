//! The pure string functions behind API Gateway's `$util` object.
//!
//! API Gateway runs mapping templates on the JVM, so each function here mirrors
//! the Java library call it is built on, including the Java quirks a template
//! author can observe:
//!
//! | template call | Java behaviour reproduced |
//! | --- | --- |
//! | `$util.escapeJavaScript(s)` | Apache commons-lang 2.x `StringEscapeUtils.escapeJavaScript` |
//! | `$util.urlEncode(s)` | `java.net.URLEncoder.encode(s, "UTF-8")` |
//! | `$util.urlDecode(s)` | `java.net.URLDecoder.decode(s, "UTF-8")` |
//! | `$util.base64Encode(s)` | `Base64.getEncoder()` over the UTF-8 bytes |
//! | `$util.base64Decode(s)` | `Base64.getDecoder()` (RFC 4648 basic, strict), then `new String(bytes, UTF-8)` |
//!
//! Strings are processed as Java would see them: as UTF-16 code units where
//! that matters (escapes of characters outside the Basic Multilingual Plane,
//! `%` escapes next to such characters). Error messages repeat the Java
//! exception messages, so they read like what API Gateway logs.

use base64::Engine as _;

/// Why a `$util` decoding function rejected its input.
///
/// The messages are the ones the Java library throws; `offset` fields (where
/// present) are the character offset in the input at which decoding failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UtilError {
    /// `$util.urlDecode`: a `%` is followed by two characters that are not a
    /// hexadecimal byte (`%zz`, or `%` followed by a `%`).
    #[error("URLDecoder: Illegal hex characters in escape (%) pattern - {detail}")]
    IllegalHexEscape {
        /// Character offset of the `%`.
        offset: usize,
        /// Java's `NumberFormatException` text, e.g. `Error at index 0 in: "zz"`.
        detail: String,
    },
    /// `$util.urlDecode`: `%-1` and the like (Java's hex parser accepts a sign).
    #[error("URLDecoder: Illegal hex characters in escape (%) pattern - negative value")]
    NegativeHexEscape {
        /// Character offset of the `%`.
        offset: usize,
    },
    /// `$util.urlDecode`: a `%` with fewer than two characters after it.
    #[error("URLDecoder: Incomplete trailing escape (%) pattern")]
    IncompleteTrailingEscape {
        /// Character offset of the `%`.
        offset: usize,
    },
    /// `$util.base64Decode`: a single character of input.
    #[error("Input byte[] should at least have 2 bytes for base64 bytes")]
    Base64TooShort,
    /// `$util.base64Decode`: a character outside the standard base64 alphabet
    /// (whitespace and line breaks included).
    #[error("Illegal base64 character {code}")]
    IllegalBase64Character {
        /// Character offset of the offending character.
        offset: usize,
        /// Java prints the byte as a signed hexadecimal number: `20` for a
        /// space, `-17` for `é`, `3f` for a character outside Latin-1.
        code: String,
    },
    /// `$util.base64Decode`: padding in the wrong place (`=` first in a unit,
    /// or `xx=` not followed by a second `=`).
    #[error("Input byte array has wrong 4-byte ending unit")]
    Base64WrongEndingUnit {
        /// Character offset of the `=` that ended the data.
        offset: usize,
    },
    /// `$util.base64Decode`: the data ends with a lone character after the last
    /// complete group of four.
    #[error("Last unit does not have enough valid bits")]
    Base64DanglingBits,
    /// `$util.base64Decode`: characters after the padding.
    #[error("Input byte array has incorrect ending byte at {offset}")]
    Base64IncorrectEndingByte {
        /// Character offset of the first character after the padding.
        offset: usize,
    },
}

/// `$util.escapeJavaScript(s)`: escapes `s` with commons-lang 2.x
/// `StringEscapeUtils.escapeJavaScript` rules.
///
/// `'` → `\'`, `"` → `\"`, `\` → `\\`, `/` → `\/`; backspace, form feed,
/// newline, carriage return and tab → `\b \f \n \r \t`; every other UTF-16
/// code unit below `0x20` or above `0x7f` → `\uXXXX` in upper-case hex (so a
/// character outside the BMP becomes two escapes, one per surrogate). `0x7f`
/// itself is kept. The `\'` form is not valid inside JSON, which is why AWS
/// documents `.replaceAll("\\'", "'")` after it.
pub fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for unit in s.encode_utf16() {
        match unit {
            0x08 => out.push_str("\\b"),
            0x09 => out.push_str("\\t"),
            0x0a => out.push_str("\\n"),
            0x0c => out.push_str("\\f"),
            0x0d => out.push_str("\\r"),
            0x27 => out.push_str("\\'"),
            0x22 => out.push_str("\\\""),
            0x5c => out.push_str("\\\\"),
            0x2f => out.push_str("\\/"),
            0x20..=0x7f => out.push(char::from(unit as u8)),
            _ => out.push_str(&format!("\\u{unit:04X}")),
        }
    }
    out
}

/// `$util.urlEncode(s)`: `application/x-www-form-urlencoded` encoding as
/// `URLEncoder.encode(s, "UTF-8")` does it.
///
/// `a-z A-Z 0-9 . - * _` are kept, a space becomes `+`, every other byte of
/// the UTF-8 encoding becomes `%XX` with upper-case hex (`~` included).
pub fn url_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
    out
}

/// `$util.urlDecode(s)`: form decoding as `URLDecoder.decode(s, "UTF-8")` does it.
///
/// `+` becomes a space; each run of consecutive `%XX` escapes is turned into
/// bytes and decoded as UTF-8, malformed sequences becoming U+FFFD. Java quirks
/// kept: the two characters after `%` go through `Integer.parseInt(_, 16)`, so
/// `%+1` is byte 1, `%-0` is byte 0 and `%-1` is an error; any other character
/// (a space, a second `%`, a letter past `f`) is an error, and so is a `%` with
/// fewer than two characters after it. Characters that are not part of an
/// escape pass through unchanged.
///
/// # Errors
///
/// [`UtilError::IllegalHexEscape`], [`UtilError::NegativeHexEscape`] or
/// [`UtilError::IncompleteTrailingEscape`], with the offset of the `%`.
pub fn url_decode(s: &str) -> Result<String, UtilError> {
    // Java indexes the string by UTF-16 code units; the "two characters after
    // `%`" rule and the error messages depend on it.
    let units: Vec<u16> = s.encode_utf16().collect();
    let n = units.len();
    let mut out: Vec<u16> = Vec::with_capacity(n);
    let mut bytes: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < n {
        match units[i] {
            0x2b => {
                out.push(0x20);
                i += 1;
            }
            0x25 => {
                bytes.clear();
                while i + 2 < n && units[i] == 0x25 {
                    let digits = &units[i + 1..i + 3];
                    let offset = char_offset(&units, i);
                    match java_parse_hex(digits) {
                        Ok(v) if v < 0 => return Err(UtilError::NegativeHexEscape { offset }),
                        // `v` is at most 0xff here: two hex digits.
                        Ok(v) => bytes.push(v as u8),
                        Err(error_index) => {
                            let detail = format!(
                                "Error at index {error_index} in: \"{}\"",
                                String::from_utf16_lossy(digits)
                            );
                            return Err(UtilError::IllegalHexEscape { offset, detail });
                        }
                    }
                    i += 3;
                }
                if i < n && units[i] == 0x25 {
                    return Err(UtilError::IncompleteTrailingEscape {
                        offset: char_offset(&units, i),
                    });
                }
                out.extend(java_utf8_lossy(&bytes).encode_utf16());
            }
            unit => {
                out.push(unit);
                i += 1;
            }
        }
    }
    // `out` holds whole surrogate pairs from a valid `&str` plus decoded text,
    // so the lossy conversion never has anything to replace.
    Ok(String::from_utf16_lossy(&out))
}

/// `$util.base64Encode(s)`: standard base64 (with `=` padding) of the UTF-8
/// bytes of `s`.
pub fn base64_encode(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// `$util.base64Decode(s)`: decodes standard base64 as Java's
/// `Base64.getDecoder().decode(s)` does, then reads the bytes as UTF-8 like
/// `new String(bytes, UTF_8)`.
///
/// Accepted: the standard alphabet (`A-Z a-z 0-9 + /`), with or without the
/// final padding (`aGVsbA` and `aGVsbA==` both give `hell`); unused low bits
/// of the last character are ignored (`QR==` is `A`). The empty string gives
/// the empty string. Rejected, with Java's message: whitespace and line
/// breaks, the URL-safe alphabet (`-`, `_`), any other character, a single
/// character of input, partial padding (`aGVsbA=`), padding at the start of a
/// unit, anything after the padding, and a dangling last character (`aGVsb`).
/// Characters outside Latin-1 are reported as `3f` (Java first converts the
/// string to ISO-8859-1 bytes, turning them into `?`).
///
/// Decoded bytes that are not valid UTF-8 are not an error: each malformed
/// sequence becomes U+FFFD exactly as the JDK's UTF-8 decoder replaces it.
///
/// # Errors
///
/// One of the `Base64*` / [`UtilError::IllegalBase64Character`] variants.
pub fn base64_decode(s: &str) -> Result<String, UtilError> {
    let bytes = java_base64_decode(s)?;
    Ok(java_utf8_lossy(&bytes))
}

/// The character offset in the original string of UTF-16 index `unit_index`.
fn char_offset(units: &[u16], unit_index: usize) -> usize {
    units[..unit_index]
        .iter()
        .filter(|&&u| !(0xdc00..=0xdfff).contains(&u))
        .count()
}

/// Java's `Integer.parseInt(s, 16)` over two UTF-16 units: an optional sign
/// followed by hexadecimal digits. On failure, the index of the offending
/// unit (what `NumberFormatException` reports).
fn java_parse_hex(units: &[u16]) -> Result<i32, usize> {
    let mut i = 0;
    let mut negative = false;
    if let Some(&first) = units.first() {
        if first == u16::from(b'-') || first == u16::from(b'+') {
            negative = first == u16::from(b'-');
            i = 1;
            if i == units.len() {
                return Err(i);
            }
        } else if first < u16::from(b'0') {
            return Err(0);
        }
    }
    let mut value: i32 = 0;
    while i < units.len() {
        let digit = java_hex_digit(units[i]).ok_or(i)?;
        value = value * 16 + i32::from(digit);
        i += 1;
    }
    Ok(if negative { -value } else { value })
}

/// Java's `Character.digit(c, 16)` for the characters it accepts that a
/// template can plausibly contain: ASCII and full-width digits and letters.
/// (Java also accepts the decimal digits of other scripts; those are not
/// reproduced.)
fn java_hex_digit(unit: u16) -> Option<u8> {
    let digit = match unit {
        0x30..=0x39 => unit - 0x30,
        0x41..=0x46 => unit - 0x41 + 10,
        0x61..=0x66 => unit - 0x61 + 10,
        0xff10..=0xff19 => unit - 0xff10,
        0xff21..=0xff26 => unit - 0xff21 + 10,
        0xff41..=0xff46 => unit - 0xff41 + 10,
        _ => return None,
    };
    // At most 15 by the ranges above.
    Some(digit as u8)
}

/// `Base64.getDecoder().decode(String)` from the JDK, step for step
/// (`decodedOutLength` + `decode0` of the basic, non-MIME decoder).
fn java_base64_decode(s: &str) -> Result<Vec<u8>, UtilError> {
    // `decode(String)` works on `s.getBytes(ISO_8859_1)`: one byte per code
    // point, `?` for anything that does not fit.
    let src: Vec<u8> = s
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    let len = src.len();
    if len == 0 {
        return Ok(Vec::new());
    }
    if len < 2 {
        return Err(UtilError::Base64TooShort);
    }
    // The `as u8` casts below keep the low byte, like the JDK's `(byte)` casts.
    let mut dst = Vec::with_capacity(len / 4 * 3 + 2);
    let mut bits: u32 = 0;
    let mut shift: i32 = 18;
    let mut sp = 0;
    while sp < len {
        let byte = src[sp];
        sp += 1;
        match base64_value(byte) {
            Some(v) => {
                bits |= u32::from(v) << shift;
                shift -= 6;
                if shift < 0 {
                    dst.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
                    shift = 18;
                    bits = 0;
                }
            }
            None if byte == b'=' => {
                // `=` first in a unit, or `xx=` not followed by a second `=`.
                if shift == 18 || (shift == 6 && (sp == len || src[sp] != b'=')) {
                    return Err(UtilError::Base64WrongEndingUnit { offset: sp - 1 });
                }
                if shift == 6 {
                    sp += 1;
                }
                break;
            }
            None => {
                // Java prints the (signed) byte with Integer.toString(b, 16).
                let signed = i32::from(byte as i8);
                let code = if signed < 0 {
                    format!("-{:x}", -signed)
                } else {
                    format!("{signed:x}")
                };
                return Err(UtilError::IllegalBase64Character {
                    offset: sp - 1,
                    code,
                });
            }
        }
    }
    match shift {
        6 => dst.push((bits >> 16) as u8),
        0 => dst.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8]),
        12 => return Err(UtilError::Base64DanglingBits),
        _ => {}
    }
    if sp < len {
        return Err(UtilError::Base64IncorrectEndingByte { offset: sp });
    }
    Ok(dst)
}

/// The 6-bit value of a character of the standard base64 alphabet.
fn base64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `new String(bytes, UTF_8)` from the JDK: UTF-8 decoding where each
/// malformed sequence becomes one U+FFFD.
///
/// Differs from [`String::from_utf8_lossy`] in how many bytes one replacement
/// swallows: the JDK decodes a 3-byte encoded surrogate (`ED A0 80`) into a
/// single U+FFFD, and skips two bytes of a broken 3-byte sequence whose second
/// byte is a continuation byte (`ED A0 41` → U+FFFD `A`).
fn java_utf8_lossy(src: &[u8]) -> String {
    const REPL: char = '\u{fffd}';
    let cont = |b: u8| b & 0xc0 == 0x80;
    let mut out = String::with_capacity(src.len());
    let len = src.len();
    let mut sp = 0;
    while sp < len {
        let b1 = src[sp];
        sp += 1;
        if b1 < 0x80 {
            out.push(char::from(b1));
        } else if b1 >> 5 == 0b110 && b1 & 0x1e != 0 {
            if sp < len {
                let b2 = src[sp];
                if cont(b2) {
                    sp += 1;
                    let c = (u32::from(b1 & 0x1f) << 6) | u32::from(b2 & 0x3f);
                    out.push(char::from_u32(c).unwrap_or(REPL));
                } else {
                    out.push(REPL);
                }
                continue;
            }
            out.push(REPL);
            break;
        } else if b1 >> 4 == 0b1110 {
            let overlong = |b2: u8| b1 == 0xe0 && b2 & 0xe0 == 0x80;
            if sp + 1 < len {
                let (b2, b3) = (src[sp], src[sp + 1]);
                if overlong(b2) || !cont(b2) || !cont(b3) {
                    out.push(REPL);
                    // The JDK's `malformed3`: how many bytes the bad sequence covers.
                    sp += if overlong(b2) || !cont(b2) { 0 } else { 1 };
                } else {
                    sp += 2;
                    let c = (u32::from(b1 & 0x0f) << 12)
                        | (u32::from(b2 & 0x3f) << 6)
                        | u32::from(b3 & 0x3f);
                    // An encoded surrogate is not a char: one replacement.
                    out.push(char::from_u32(c).unwrap_or(REPL));
                }
                continue;
            }
            if sp < len && (overlong(src[sp]) || !cont(src[sp])) {
                out.push(REPL);
                continue;
            }
            out.push(REPL);
            break;
        } else if b1 >> 3 == 0b11110 {
            if sp + 2 < len {
                let (b2, b3, b4) = (src[sp], src[sp + 1], src[sp + 2]);
                let c = (u32::from(b1 & 0x07) << 18)
                    | (u32::from(b2 & 0x3f) << 12)
                    | (u32::from(b3 & 0x3f) << 6)
                    | u32::from(b4 & 0x3f);
                if !cont(b2) || !cont(b3) || !cont(b4) || !(0x10000..=0x10ffff).contains(&c) {
                    out.push(REPL);
                    // The JDK's `malformed4`.
                    let bad_second = b1 > 0xf4
                        || (b1 == 0xf0 && !(0x90..=0xbf).contains(&b2))
                        || (b1 == 0xf4 && b2 & 0xf0 != 0x80)
                        || !cont(b2);
                    sp += if bad_second {
                        0
                    } else if !cont(b3) {
                        1
                    } else {
                        2
                    };
                } else {
                    sp += 3;
                    out.push(char::from_u32(c).unwrap_or(REPL));
                }
                continue;
            }
            let bad_second = |b2: u8| {
                (b1 == 0xf0 && !(0x90..=0xbf).contains(&b2))
                    || (b1 == 0xf4 && b2 & 0xf0 != 0x80)
                    || !cont(b2)
            };
            if b1 > 0xf4 || (sp < len && bad_second(src[sp])) {
                out.push(REPL);
                continue;
            }
            sp += 1;
            out.push(REPL);
            if sp < len && !cont(src[sp]) {
                continue;
            }
            break;
        } else {
            out.push(REPL);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_javascript_conformance_single_quote() {
        // util-escapejavascript-single-quote: body {"data": "it's"}.
        assert_eq!(escape_javascript("it's"), "it\\'s");
    }

    #[test]
    fn escape_javascript_specials() {
        assert_eq!(
            escape_javascript("\"q\" \\ / a\u{8}b\u{c}c\nd\re\tf"),
            "\\\"q\\\" \\\\ \\/ a\\bb\\fc\\nd\\re\\tf"
        );
    }

    #[test]
    fn escape_javascript_unicode_escapes_are_upper_case_utf16() {
        assert_eq!(
            escape_javascript("\u{1}\u{1f}\u{7f}\u{80}é€\u{fff}\u{100}😀"),
            "\\u0001\\u001F\u{7f}\\u0080\\u00E9\\u20AC\\u0FFF\\u0100\\uD83D\\uDE00"
        );
    }

    #[test]
    fn escape_javascript_keeps_plain_ascii() {
        let plain = "Hello, World! {a:1} [x] <tag> #$%&()*+,-.:;=?@^_`|~";
        assert_eq!(escape_javascript(plain), plain);
        assert_eq!(escape_javascript(""), "");
    }

    #[test]
    fn url_encode_conformance_json_body() {
        // util-urlencode-json-body.
        assert_eq!(
            url_encode("{\"some\": \"value\"}"),
            "%7B%22some%22%3A+%22value%22%7D"
        );
    }

    #[test]
    fn url_encode_matches_java() {
        // Output of java.net.URLEncoder.encode(_, "UTF-8") on JDK 17.
        assert_eq!(
            url_encode(" ~!@#$%^&*()_+-=.é€😀"),
            "+%7E%21%40%23%24%25%5E%26*%28%29_%2B-%3D.%C3%A9%E2%82%AC%F0%9F%98%80"
        );
        assert_eq!(url_encode("azAZ09.-*_"), "azAZ09.-*_");
        assert_eq!(url_encode(""), "");
    }

    #[test]
    fn url_decode_conformance_plus_is_space() {
        // util-urldecode-form-plus-is-space.
        assert_eq!(url_decode("x%3Da+b").as_deref(), Ok("x=a b"));
    }

    #[test]
    fn url_decode_utf8_and_passthrough() {
        assert_eq!(url_decode("%C3%A9t%C3%A9").as_deref(), Ok("été"));
        assert_eq!(url_decode("é+%20").as_deref(), Ok("é  "));
        assert_eq!(url_decode("%f0%9f%98%80").as_deref(), Ok("😀"));
        assert_eq!(url_decode("%FF%FE").as_deref(), Ok("\u{fffd}\u{fffd}"));
        assert_eq!(url_decode("%C3x%A9").as_deref(), Ok("\u{fffd}x\u{fffd}"));
        assert_eq!(url_decode("%C3%A9%E2%82").as_deref(), Ok("é\u{fffd}"));
        assert_eq!(url_decode("%ED%A0%80").as_deref(), Ok("\u{fffd}"));
        assert_eq!(url_decode("").as_deref(), Ok(""));
        assert_eq!(url_decode("a~b").as_deref(), Ok("a~b"));
    }

    #[test]
    fn url_decode_java_sign_quirk() {
        assert_eq!(url_decode("%+1x").as_deref(), Ok("\u{1}x"));
        assert_eq!(url_decode("%-0x").as_deref(), Ok("\u{0}x"));
        assert_eq!(
            url_decode("a%-1"),
            Err(UtilError::NegativeHexEscape { offset: 1 })
        );
    }

    #[test]
    fn url_decode_errors_match_java_messages() {
        let err = url_decode("%zz").unwrap_err();
        assert_eq!(
            err.to_string(),
            "URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: \"zz\""
        );
        let err = url_decode("%1%41").unwrap_err();
        assert_eq!(
            err.to_string(),
            "URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 1 in: \"1%\""
        );
        assert_eq!(
            url_decode("ab%%41"),
            Err(UtilError::IllegalHexEscape {
                offset: 2,
                detail: "Error at index 0 in: \"%4\"".to_owned()
            })
        );
        assert_eq!(
            url_decode("abc%4"),
            Err(UtilError::IncompleteTrailingEscape { offset: 3 })
        );
        assert_eq!(
            url_decode("😀%"),
            Err(UtilError::IncompleteTrailingEscape { offset: 1 })
        );
        assert_eq!(
            url_decode("%41%4").unwrap_err().to_string(),
            "URLDecoder: Incomplete trailing escape (%) pattern"
        );
    }

    #[test]
    fn base64_encode_conformance_short_ascii() {
        // util-base64encode-short-ascii.
        assert_eq!(base64_encode("hello"), "aGVsbG8=");
    }

    #[test]
    fn base64_encode_uses_utf8_bytes() {
        assert_eq!(base64_encode("é😀"), "w6nwn5iA");
        assert_eq!(base64_encode(""), "");
    }

    #[test]
    fn base64_decode_valid_forms() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Ok("hello"));
        assert_eq!(base64_decode("aGVsbG8").as_deref(), Ok("hello"));
        assert_eq!(base64_decode("aGVsbA").as_deref(), Ok("hell"));
        assert_eq!(base64_decode("aGVsbA==").as_deref(), Ok("hell"));
        assert_eq!(base64_decode("QR==").as_deref(), Ok("A"));
        assert_eq!(base64_decode("").as_deref(), Ok(""));
        // overrides-requestoverride-path-carries-data-path1: a path segment.
        assert_eq!(
            base64_decode("eyJtZXNzYWdlIjogInBhdGgxIn0=").as_deref(),
            Ok("{\"message\": \"path1\"}")
        );
    }

    #[test]
    fn base64_decode_invalid_utf8_is_replaced() {
        assert_eq!(base64_decode("/w==").as_deref(), Ok("\u{fffd}"));
        assert_eq!(base64_decode("gIA=").as_deref(), Ok("\u{fffd}\u{fffd}"));
        assert_eq!(base64_decode("7aCA").as_deref(), Ok("\u{fffd}"));
        assert_eq!(base64_decode("8J+YgPg=").as_deref(), Ok("😀\u{fffd}"));
        assert_eq!(base64_decode("8J+Y").as_deref(), Ok("\u{fffd}"));
        assert_eq!(
            base64_decode("wMEA").as_deref(),
            Ok("\u{fffd}\u{fffd}\u{0}")
        );
        assert_eq!(base64_decode("4oJB").as_deref(), Ok("\u{fffd}A"));
    }

    #[test]
    fn base64_decode_errors_match_java() {
        let cases: &[(&str, &str)] = &[
            (
                "a",
                "Input byte[] should at least have 2 bytes for base64 bytes",
            ),
            (
                "=",
                "Input byte[] should at least have 2 bytes for base64 bytes",
            ),
            ("==", "Input byte array has wrong 4-byte ending unit"),
            ("aGVsbA=", "Input byte array has wrong 4-byte ending unit"),
            ("aGVsbA=x", "Input byte array has wrong 4-byte ending unit"),
            ("aGVs=", "Input byte array has wrong 4-byte ending unit"),
            ("aGVs=bG8", "Input byte array has wrong 4-byte ending unit"),
            ("aA=A", "Input byte array has wrong 4-byte ending unit"),
            (
                "aGVsbA===",
                "Input byte array has incorrect ending byte at 8",
            ),
            (
                "aGVsbG8=x",
                "Input byte array has incorrect ending byte at 8",
            ),
            (
                "aGVsbG8==",
                "Input byte array has incorrect ending byte at 8",
            ),
            ("aGVsb", "Last unit does not have enough valid bits"),
            ("aGV sbG8=", "Illegal base64 character 20"),
            ("aGVs\nbG8=", "Illegal base64 character a"),
            ("aG_s", "Illegal base64 character 5f"),
            ("aGVsbé8=", "Illegal base64 character -17"),
            ("aGVsb€8=", "Illegal base64 character 3f"),
        ];
        for (input, message) in cases {
            let err = base64_decode(input).expect_err(input);
            assert_eq!(err.to_string(), *message, "input {input:?}");
        }
        assert_eq!(
            base64_decode("aG_s"),
            Err(UtilError::IllegalBase64Character {
                offset: 2,
                code: "5f".to_owned()
            })
        );
    }

    #[test]
    fn java_utf8_lossy_agrees_with_std_on_valid_text() {
        let text = "plain ASCII, été, €, 😀, \u{10ffff}";
        assert_eq!(java_utf8_lossy(text.as_bytes()), text);
    }

    #[test]
    fn java_utf8_lossy_edge_cases() {
        let cases: &[(&[u8], &str)] = &[
            (b"\xed\xa0\x41", "\u{fffd}A"),
            (b"\xe0\x80\x80", "\u{fffd}\u{fffd}\u{fffd}"),
            (b"\xc0\x80", "\u{fffd}\u{fffd}"),
            (b"\xe2\x82", "\u{fffd}"),
            (b"\xe2\x41", "\u{fffd}A"),
            (b"\xf0\x9f\x41", "\u{fffd}A"),
            (b"\xf8\x41", "\u{fffd}A"),
            (b"\xc3", "\u{fffd}"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(java_utf8_lossy(bytes), *expected, "bytes {bytes:x?}");
        }
    }
}
