//! One small sort for the whole crate. `slice::sort_unstable` is fast but each
//! element type instantiates about 10 KB of wasm; the lists sorted here (the
//! unknown keys of an object, model ids and option keys for a diff) are short
//! or sorted once, so an in-place heapsort, O(n log n) even on hostile input,
//! is the better trade.

/// Sorts ascending in place (not stable: equal elements may swap).
pub fn heapsort<T: Ord>(v: &mut [T]) {
    // One sort body for every element type, reached through one small
    // closure: each type then costs a comparison and a swap, not a heapsort.
    heapsort_with(v.len(), &mut |op, a, b| match op {
        Op::Less => v[a] < v[b],
        Op::Swap => {
            v.swap(a, b);
            false
        }
    });
}

/// What [`heapsort_with`] asks of the elements `a` and `b`.
enum Op {
    /// Whether `a` sorts before `b`.
    Less,
    /// Swap them (the answer is ignored).
    Swap,
}

/// Heapsort of `len` elements known only through `at(op, a, b)`.
fn heapsort_with(len: usize, at: &mut dyn FnMut(Op, usize, usize) -> bool) {
    for start in (0..len / 2).rev() {
        sift_down(at, start, len);
    }
    for end in (1..len).rev() {
        at(Op::Swap, 0, end);
        sift_down(at, 0, end);
    }
}

/// Restores the max-heap property below `root` within the first `end` elements.
fn sift_down(at: &mut dyn FnMut(Op, usize, usize) -> bool, mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && at(Op::Less, child, child + 1) {
            child += 1;
        }
        if !at(Op::Less, root, child) {
            return;
        }
        at(Op::Swap, root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::heapsort;

    #[test]
    fn sorts_like_the_standard_sort() {
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 5, 16, 100, 1001] {
            let mut v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8, i)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort();
            heapsort(&mut v);
            assert_eq!(v, expected, "len {len}");
        }
    }
}
