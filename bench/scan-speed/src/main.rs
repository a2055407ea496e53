//! Times the schema walk natively over the bodies named on the command line:
//! prints one JSON object, `{ "<file>": { "bytes", "ms", "mbPerS" } }`, the
//! median of at least 20 runs and 300 ms of walking per body.

use std::time::Instant;

use resources_client_scan_speed::domain::walk::check_body;

fn main() {
    let mut out = Vec::new();
    for path in std::env::args().skip(1) {
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        check_body(&body, 200, None, false).unwrap_or_else(|e| panic!("{path} is refused: {e}"));
        let mut times = Vec::new();
        let start = Instant::now();
        while times.len() < 20 || start.elapsed().as_millis() < 300 {
            let t = Instant::now();
            std::hint::black_box(check_body(std::hint::black_box(&body), 200, None, false).is_ok());
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let ms = times[times.len() / 2];
        let mb_per_s = body.len() as f64 / 1e6 / (ms / 1e3);
        out.push(format!("{path:?}:{{\"bytes\":{},\"ms\":{ms},\"mbPerS\":{mb_per_s}}}", body.len()));
    }
    println!("{{{}}}", out.join(","));
}
