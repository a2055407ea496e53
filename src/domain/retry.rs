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

/// How long to wait before attempt `attempt + 1`.
///
/// Without a `Retry-After`: exponential back-off from 0.5 s, capped at 8 s,
/// minus up to 25 % jitter. With one (already capped when parsed): never less
/// than the server asked, and never less than the back-off either, plus up to
/// 25 % spread. Many clients told "retry in 1 s" at once would otherwise come
/// back in the same instant and be refused together again, attempt after attempt.
/// `random` is in `[0, 1)`.
pub fn delay_ms(error: &Error, attempt: u32, random: f64) -> u64 {
    let random = random.clamp(0.0, 1.0);
    let backoff = (INITIAL_DELAY_MS * 2f64.powi(attempt.min(16) as i32)).min(MAX_DELAY_MS);
    match error.retry_after_ms() {
        Some(asked) => {
            let base = (asked as f64).max(backoff);
            (base * (1.0 + 0.25 * random)) as u64
        }
        None => (backoff * (1.0 - 0.25 * random)) as u64,
    }
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

    fn too_many(retry_after_ms: u64) -> Error {
        Error::Api {
            code: "TOO_MANY_REQUESTS_ERROR".into(),
            status: 429,
            message: String::new(),
            retry_after_ms: Some(retry_after_ms),
        }
    }

    #[test]
    fn retry_after_is_a_floor_with_spread() {
        assert_eq!(delay_ms(&too_many(1200), 0, 0.0), 1200);
        assert_eq!(delay_ms(&too_many(1200), 0, 0.999_999), 1499);
        // Never earlier than the server asked, whatever the jitter.
        for r in [0.0, 0.3, 0.7, 0.99] {
            assert!(delay_ms(&too_many(1000), 0, r) >= 1000);
        }
    }

    #[test]
    fn repeated_retry_after_grows_with_the_backoff() {
        // Attempt 3: back-off 4 s beats a 1 s Retry-After, so a refused herd spreads out.
        assert_eq!(delay_ms(&too_many(1000), 3, 0.0), 4000);
        assert_eq!(delay_ms(&too_many(30_000), 3, 0.0), 30_000);
    }

    #[test]
    fn only_retryable_errors_within_budget() {
        assert!(should_retry(&net(), 0, 2));
        assert!(!should_retry(&net(), 2, 2));
        let unauthorized =
            Error::Api { code: "UNAUTHORIZED_ERROR".into(), status: 401, message: String::new(), retry_after_ms: None };
        assert!(!should_retry(&unauthorized, 0, 5));
    }
}
