//! Base URL normalisation: `https://host`, `https://host/`, `https://host/v1`
//! and `https://host/v1/` all address the same API without `//` or `/v1/v1/`.

use super::error::Error;

/// The public service.
pub const DEFAULT_BASE_URL: &str = "https://api.betterprompt.me";

/// Normalises a base URL to `scheme://host[:port][/prefix]` with no trailing
/// slash and no trailing `/v1`. Only absolute `http(s)` URLs without
/// credentials, query or fragment are accepted.
pub fn normalize_base_url(input: &str) -> Result<String, Error> {
    let url = input.trim();
    let lower = url.to_ascii_lowercase();
    let rest_at = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else if is_relative_reference(url) {
        // In a page the JS layer resolves it against the page's location first.
        return Err(Error::options(
            "baseUrl is relative and there is no page location to resolve it against; give an absolute http(s) URL",
        ));
    } else {
        // The value is not shown: a string where a URL was expected may be a
        // key pasted into the wrong option.
        return Err(Error::options("baseUrl must be an absolute http(s) URL (or, in a page, a path such as \"/api\")"));
    };
    if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::options("baseUrl must not contain a query, a fragment or spaces"));
    }
    let rest = &url[rest_at..];
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        return Err(Error::options("baseUrl has no host"));
    }
    if host.contains('@') {
        return Err(Error::options("baseUrl must not contain credentials; use apiKey"));
    }
    // Empty path segments are dropped, so no `//` can reach the request URL
    // (`https://h//proxy/` is `https://h/proxy`).
    let mut out = format!("{}{}", &lower[..rest_at], host);
    for segment in rest[host.len()..].split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    while out.len() > rest_at + host.len() && out.ends_with("/v1") {
        out.truncate(out.len() - 3);
    }
    Ok(out)
}

/// Whether a base URL is a reference to resolve against a page's location: a
/// path (`/api`, `./api`, `../api`) or a scheme-relative `//host/api`. A bare
/// `api.example.com` is not one: it is far more likely a URL missing its
/// scheme than a path relative to the page.
pub fn is_relative_reference(input: &str) -> bool {
    let s = input.trim();
    s.starts_with('/') || s.starts_with("./") || s.starts_with("../") || s == "." || s == ".."
}

/// `url` without `user:password@`, for messages.
pub fn without_userinfo(url: &str) -> String {
    let Some(scheme_end) = super::text::find_text(url, "://") else { return url.to_owned() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// Most redirects followed for one request, as the Fetch standard allows.
pub const MAX_REDIRECTS: usize = 20;

/// Whether a status is a redirect that names its target in `Location`.
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The origin of an absolute URL, `scheme://host[:port]`, lowercased, without
/// credentials or the scheme's default port; `None` when it has no `scheme://`.
pub fn origin_of(url: &str) -> Option<String> {
    let at = super::text::find_text(url, "://")?;
    let (scheme, rest) = (&url[..at], &url[at + 3..]);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (scheme, mut host) = (scheme.to_ascii_lowercase(), host.to_ascii_lowercase());
    let default = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    if !default.is_empty() && host.ends_with(default) {
        host.truncate(host.len() - default.len());
    }
    Some(format!("{scheme}://{host}"))
}

/// `{base}/v1/resources` for a normalised base.
pub fn resources_url(base: &str) -> String {
    format!("{base}/v1/resources")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slash_and_v1_are_folded() {
        for input in [
            "https://api.example.com",
            "https://api.example.com/",
            "https://api.example.com/v1",
            "https://api.example.com/v1/",
            "  HTTPS://api.example.com//  ",
        ] {
            assert_eq!(normalize_base_url(input).unwrap(), "https://api.example.com", "{input}");
        }
        assert_eq!(normalize_base_url("http://127.0.0.1:8080/proxy/v1").unwrap(), "http://127.0.0.1:8080/proxy");
        // Found by fuzzing: an empty segment inside the path used to survive as `//`.
        assert_eq!(normalize_base_url("https://h//proxy//v1/").unwrap(), "https://h/proxy");
        assert_eq!(normalize_base_url("https://https://https:/").unwrap(), "https://https:/https:");
        assert_eq!(resources_url("https://h"), "https://h/v1/resources");
    }

    #[test]
    fn relative_references() {
        for input in ["/api", "/", "./api", "../x", "//h/api", " /api"] {
            assert!(is_relative_reference(input), "{input}");
            let message = normalize_base_url(input).unwrap_err().to_string();
            assert!(message.contains("is relative and there is no page location"), "{message}");
        }
        for input in ["api.example.com", "api", "https://h", "", ".api"] {
            assert!(!is_relative_reference(input), "{input}");
        }
        assert!(normalize_base_url("api.example.com").unwrap_err().to_string().contains("absolute http(s) URL"));
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://API.example.com:443/v1?x#y").as_deref(), Some("https://api.example.com"));
        assert_eq!(origin_of("http://u:p@h:8080/x").as_deref(), Some("http://h:8080"));
        assert_ne!(origin_of("http://127.0.0.1:9/a"), origin_of("http://localhost:9/a"));
        assert_ne!(origin_of("http://h/a"), origin_of("https://h/a"));
        assert_eq!(origin_of("/relative"), None);
        assert!(is_redirect(307) && !is_redirect(304) && !is_redirect(300));
    }

    #[test]
    fn userinfo_is_stripped() {
        assert_eq!(without_userinfo("https://u:p@h/v1/resources"), "https://h/v1/resources");
        assert_eq!(without_userinfo("https://u@h:8/x@y"), "https://h:8/x@y");
        assert_eq!(without_userinfo("https://h/a@b"), "https://h/a@b");
        assert_eq!(without_userinfo("no scheme"), "no scheme");
    }

    #[test]
    fn unusable_bases_are_options_errors() {
        for input in [
            "",
            "api.example.com",
            "ftp://h",
            "https://",
            "https://u:p@h",
            "https://h?x=1",
            "https://h/#f",
            "https://h h",
        ] {
            let err = normalize_base_url(input).unwrap_err();
            assert_eq!(err.code(), "INVALID_OPTIONS", "{input}");
        }
    }
}
