//! Header rules: what the client sends and how it reads what comes back.

use super::text::{parse_int, parse_u64};

/// Name of the header carrying the known catalog hash.
pub const CLI_AGENT: &str = "cli-agent";
/// Name of the response header asking the client to act.
pub const ACTION_REQUIRE: &str = "action-require";
/// The `action-require` token that asks for a catalog refresh.
pub const UPDATE_RESOURCES: &str = "update-resources";
/// Longest `Retry-After` honoured; a server asking for more gets this much.
pub const MAX_RETRY_AFTER_MS: u64 = 60_000;

/// `user-agent` of the library's requests: `resources-client/<version>`.
pub const USER_AGENT: &str = concat!("resources-client/", env!("CARGO_PKG_VERSION"));

/// Adds `user-agent: resources-client/<version>` unless the caller gave one (any case): theirs wins.
pub fn add_user_agent(headers: &mut Vec<(String, String)>) {
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("user-agent")) {
        headers.push(("user-agent".into(), USER_AGENT.into()));
    }
}

/// `resources_hash=<hash>`, the value of `cli-agent` once a hash is known.
pub fn cli_agent_value(hash: &str) -> String {
    format!("resources_hash={hash}")
}

/// `Bearer <key>`, without doubling a prefix the key already has.
pub fn authorization_value(api_key: &str) -> String {
    let key = api_key.trim();
    // `get`, not indexing: byte 7 may fall inside a multi-byte character.
    let has_prefix = key.len() > 7 && key.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("bearer "));
    if has_prefix {
        format!("Bearer {}", key[7..].trim_start())
    } else {
        format!("Bearer {key}")
    }
}

/// Whether a request header carries a credential: `authorization`,
/// `proxy-authorization`, `cookie`, or any name that suggests one (`x-api-key`,
/// `x-auth-token`, `x-session-id`, `x-client-secret`, ...). Such values are
/// redacted from every message and decide whose catalog a record is.
pub fn is_credential_header(name: &str) -> bool {
    const HINTS: [&str; 9] =
        ["auth", "cookie", "key", "token", "secret", "session", "password", "credential", "signature"];
    let name = name.to_ascii_lowercase();
    HINTS.iter().any(|hint| super::text::find_text(&name, hint).is_some())
}

/// The secrets in a credential header's value: the whole value, the part after
/// an auth scheme (`Bearer <token>`, `Basic <b64>`), and each cookie's value
/// (`a=<v>; b=<w>`). Parts shorter than 8 characters are not secrets on their
/// own (`Bearer`, `consent=yes`); the whole value always is.
pub fn credential_secrets<'a>(value: &'a str) -> Vec<&'a str> {
    let value = value.trim();
    let mut out = vec![value];
    let mut part = |p: &'a str| {
        let p = p.trim();
        if p.len() >= 8 && !out.contains(&p) {
            out.push(p);
        }
    };
    if let Some((scheme, token)) = value.split_once(' ') {
        if !scheme.contains(['=', ';']) {
            part(token);
        }
    }
    for cookie in value.split(';') {
        if let Some((_, v)) = cookie.split_once('=') {
            part(v.trim_matches('"'));
        }
    }
    out
}

/// The headers without any credential ([`is_credential_header`]): what goes
/// to another origin when the caller allowed a cross-origin redirect.
pub fn without_credentials(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers.iter().filter(|(name, _)| !is_credential_header(name)).cloned().collect()
}

/// Whether an `action-require` value asks for a refresh: case-insensitive,
/// a comma-separated list allowed (`"foo, Update-Resources"`).
pub fn asks_for_update(action_require: &str) -> bool {
    action_require.split(',').any(|t| t.trim().eq_ignore_ascii_case(UPDATE_RESOURCES))
}

/// The headers of a catalog request: the user's own, then `accept`, then
/// `authorization` from the API key and `cli-agent` from the stored hash. The
/// client's values win: a user header of the same name (any case) is dropped,
/// so `headers` can never send a second, conflicting credential or hash.
pub fn request_headers(user: &[(String, String)], api_key: Option<&str>, hash: Option<&str>) -> Vec<(String, String)> {
    let owned = |name: &str| {
        name.eq_ignore_ascii_case("accept")
            || (api_key.is_some() && name.eq_ignore_ascii_case("authorization"))
            || (hash.is_some() && name.eq_ignore_ascii_case(CLI_AGENT))
    };
    let mut headers: Vec<(String, String)> = user.iter().filter(|(n, _)| !owned(n)).cloned().collect();
    headers.push(("accept".into(), "application/json".into()));
    if let Some(key) = api_key {
        headers.push(("authorization".into(), authorization_value(key)));
    }
    if let Some(h) = hash {
        headers.push((CLI_AGENT.into(), cli_agent_value(h)));
    }
    headers
}

/// Reads `Retry-After` (delay-seconds or an HTTP date) as milliseconds from `now_ms`,
/// capped at [`MAX_RETRY_AFTER_MS`]. `None` when absent or unreadable.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let ms = if value.bytes().all(|b| b.is_ascii_digit()) {
        // Many digits saturate instead of overflowing.
        parse_u64(value).unwrap_or(u64::MAX).saturating_mul(1000)
    } else if let Some(ms) = decimal_seconds_ms(value) {
        ms
    } else {
        let at = parse_http_date(value)?;
        let delta = at - now_ms;
        if delta <= 0.0 {
            0
        } else {
            delta.min(u64::MAX as f64) as u64
        }
    };
    Some(ms.min(MAX_RETRY_AFTER_MS))
}

/// Decimal seconds (`1.5`, `+2`, `.25`, `3.`) as whole milliseconds, the
/// fraction cut after three digits. Written by hand rather than through
/// `f64::from_str`, whose tables would cost the wasm build about 5 KB for a
/// form RFC 9110 does not even allow (it says whole seconds); exponents
/// (`1e3`), `inf` and `NaN` are therefore unreadable, as other junk is.
fn decimal_seconds_ms(value: &str) -> Option<u64> {
    let value = value.strip_prefix('+').unwrap_or(value);
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let secs = if whole.is_empty() { 0 } else { parse_u64(whole).unwrap_or(u64::MAX) };
    let millis = fraction.bytes().chain(std::iter::repeat(b'0')).take(3).fold(0, |ms, b| ms * 10 + u64::from(b - b'0'));
    Some(secs.saturating_mul(1000).saturating_add(millis))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into ms since the epoch.
/// The obsolete RFC 850 and asctime forms are not accepted.
pub fn parse_http_date(s: &str) -> Option<f64> {
    let rest = &s[super::text::find_text(s, ", ")? + 2..];
    let mut parts = rest.split(' ');
    let day: u32 = parse_int(parts.next()?)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parse_int(parts.next()?)?;
    let mut hms = parts.next()?.split(':');
    let (h, m, sec): (u32, u32, u32) = (parse_int(hms.next()?)?, parse_int(hms.next()?)?, parse_int(hms.next()?)?);
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 || !(1970..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(sec)) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether `name: value` may be sent as a request header: a token name and a
/// value without control characters (no CR/LF header injection) that `fetch`
/// accepts as a ByteString (no character above U+00FF: `Headers.set` throws on those).
pub fn is_valid_header(name: &str, value: &str) -> bool {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    !name.is_empty()
        && name.bytes().all(token)
        && value.chars().all(|c| c == '\t' || (!c.is_control() && u32::from(c) <= 0xFF))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_is_not_doubled() {
        assert_eq!(authorization_value("sk-1"), "Bearer sk-1");
        assert_eq!(authorization_value("Bearer sk-1"), "Bearer sk-1");
        assert_eq!(authorization_value("bearer sk-1"), "Bearer sk-1");
        assert_eq!(authorization_value("Bearerx"), "Bearer Bearerx");
    }

    #[test]
    fn request_headers_put_the_clients_values_last_and_alone() {
        let user = vec![
            ("X-Trace".to_owned(), "1".to_owned()),
            ("Accept".to_owned(), "text/html".to_owned()),
            ("Authorization".to_owned(), "Bearer other".to_owned()),
            ("CLI-Agent".to_owned(), "resources_hash=old".to_owned()),
        ];
        let h = request_headers(&user, Some("sk-1"), Some("abc"));
        let pairs: Vec<(&str, &str)> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("X-Trace", "1"),
                ("accept", "application/json"),
                ("authorization", "Bearer sk-1"),
                ("cli-agent", "resources_hash=abc")
            ]
        );
        // Without a key or a hash, the user's own values of those go through.
        let h = request_headers(&user, None, None);
        assert!(h.iter().any(|(n, v)| n == "Authorization" && v == "Bearer other"));
        assert!(h.iter().any(|(n, _)| n == "CLI-Agent"));
        assert!(!h.iter().any(|(n, _)| n == "Accept"));
    }

    #[test]
    fn user_agent_names_the_package_unless_the_caller_gave_one() {
        assert_eq!(USER_AGENT, format!("resources-client/{}", env!("CARGO_PKG_VERSION")));
        let mut h = vec![("x-a".to_owned(), "1".to_owned())];
        add_user_agent(&mut h);
        assert_eq!(h[1], ("user-agent".to_owned(), USER_AGENT.to_owned()));
        let mut mine = vec![("User-Agent".to_owned(), "my-app/2".to_owned())];
        add_user_agent(&mut mine);
        assert_eq!(mine, [("User-Agent".to_owned(), "my-app/2".to_owned())]);
    }

    #[test]
    fn credential_headers_and_their_secrets() {
        for name in
            ["Authorization", "proxy-authorization", "Cookie", "x-api-key", "X-Auth-Token", "x-session", "apikey"]
        {
            assert!(is_credential_header(name), "{name}");
        }
        for name in ["x-trace", "accept", "user-agent", "x-org"] {
            assert!(!is_credential_header(name), "{name}");
        }
        assert_eq!(credential_secrets("Bearer abcdefgh123"), ["Bearer abcdefgh123", "abcdefgh123"]);
        assert_eq!(
            credential_secrets("sid=0123456789abcdef; consent=yes"),
            ["sid=0123456789abcdef; consent=yes", "0123456789abcdef"]
        );
    }

    #[test]
    fn action_require_tokens() {
        assert!(asks_for_update("update-resources"));
        assert!(asks_for_update("Update-Resources"));
        assert!(asks_for_update("foo, update-resources ,bar"));
        assert!(!asks_for_update("update-resources-later"));
        assert!(!asks_for_update(""));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("2", 0.0), Some(2000));
        assert_eq!(parse_retry_after("0", 0.0), Some(0));
        assert_eq!(parse_retry_after("99999999999999999999999", 0.0), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(parse_retry_after("1.5", 0.0), Some(1500));
        assert_eq!(parse_retry_after("+.25", 0.0), Some(250));
        assert_eq!(parse_retry_after("3.", 0.0), Some(3000));
        assert_eq!(parse_retry_after("+2", 0.0), Some(2000));
        assert_eq!(parse_retry_after("+", 0.0), None);
        assert_eq!(parse_retry_after("0.0019", 0.0), Some(1));
        assert_eq!(parse_retry_after(".", 0.0), None);
        assert_eq!(parse_retry_after("1.2.3", 0.0), None);
        assert_eq!(parse_retry_after("1e3", 0.0), None);
        assert_eq!(parse_retry_after("inf", 0.0), None);
        assert_eq!(parse_retry_after("-1", 0.0), None);
        assert_eq!(parse_retry_after("soon", 0.0), None);
        let date = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(date, 784_111_777_000.0);
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", date), Some(3000));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:30 GMT", date), Some(0));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT"), None);
    }

    #[test]
    fn header_injection_is_refused() {
        assert!(is_valid_header("x-trace", "abc"));
        assert!(!is_valid_header("x trace", "abc"));
        assert!(!is_valid_header("x-trace", "a\r\nb"));
        assert!(!is_valid_header("", "a"));
        assert!(is_valid_header("x-name", "caf\u{e9}"));
        assert!(!is_valid_header("x-name", "\u{540d}\u{524d}"));
    }

    #[test]
    fn header_values_are_byte_strings() {
        // Found by fuzzing: `fetch` throws on these, which used to escape as a JS exception.
        assert!(!is_valid_header("x-name", "¡Ā"));
        assert!(!is_valid_header("x-name", "€"));
        assert!(is_valid_header("x-name", "José"));
    }

    #[test]
    fn bearer_prefix_check_is_char_safe() {
        // Found by fuzzing: byte 7 inside a multi-byte character used to panic.
        assert_eq!(authorization_value("abcdef€x"), "Bearer abcdef€x");
        assert_eq!(authorization_value("Bearer\u{e9}x"), "Bearer Bearer\u{e9}x");
    }
}
