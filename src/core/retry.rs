//! Retry timing, in one place: which failures are retried and how long to wait.

use super::error::Error;

/// First back-off delay.
pub const INITIAL_DELAY_MS: f64 = 500.0;
/// Longest back-off delay (not counting a server's `Retry-After`).
pub const MAX_DELAY_MS: f64 = 8_000.0;

/// Whether `error`, seen on attempt number `attempt` (0 for the first), is
/// worth another attempt when `retries` were allowed.
pub fn should_retry(error: &Error, attempt: u32, retries: u32) -> bool {
    attempt < retries && error.retryable()
}

/// How long to wait before attempt `attempt + 1`. A server's `Retry-After`
/// (already capped when parsed) wins; otherwise exponential back-off from
/// 0.5 s, capped at 8 s, minus up to 25 % jitter so that many clients told to
/// retry at once do not come back in step. `random` is in `[0, 1)`.
pub fn delay_ms(error: &Error, attempt: u32, random: f64) -> u64 {
    if let Some(ms) = error.retry_after_ms() {
        return ms;
    }
    let base = (INITIAL_DELAY_MS * 2f64.powi(attempt.min(16) as i32)).min(MAX_DELAY_MS);
    let jitter = 1.0 - 0.25 * random.clamp(0.0, 1.0);
    (base * jitter) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Error {
        Error::Network { message: "x".into() }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(delay_ms(&net(), 0, 0.0), 500);
        assert_eq!(delay_ms(&net(), 1, 0.0), 1000);
        assert_eq!(delay_ms(&net(), 10, 0.0), 8000);
        assert_eq!(delay_ms(&net(), 0, 0.999_999), 375);
    }

    #[test]
    fn retry_after_wins() {
        let e = Error::Api { code: "TOO_MANY_REQUESTS_ERROR".into(), status: 429, message: String::new(), retry_after_ms: Some(1200) };
        assert_eq!(delay_ms(&e, 3, 0.5), 1200);
    }

    #[test]
    fn only_retryable_errors_within_budget() {
        assert!(should_retry(&net(), 0, 2));
        assert!(!should_retry(&net(), 2, 2));
        let unauthorized = Error::Api { code: "UNAUTHORIZED_ERROR".into(), status: 401, message: String::new(), retry_after_ms: None };
        assert!(!should_retry(&unauthorized, 0, 5));
    }
}
