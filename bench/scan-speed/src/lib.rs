//! The schema walk of the package (`src/domain/`, included by path), with two
//! C exports for timing it in wasm: `buffer(len)` gives a place for a body,
//! `walk(ptr, len)` judges it as `parseResources` does before `JSON.parse`.

#[path = "../../../src/domain/mod.rs"]
pub mod domain;

/// A buffer of `len` bytes that lives as long as the module (one per body).
#[no_mangle]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    Box::leak(vec![0u8; len].into_boxed_slice()).as_mut_ptr()
}

/// The walk over `len` bytes at `ptr`: the number of warnings of a valid
/// body, `u32::MAX` for a refused one.
///
/// # Safety
/// `ptr` and `len` come from [`buffer`].
#[no_mangle]
pub unsafe extern "C" fn walk(ptr: *const u8, len: usize) -> u32 {
    let body = std::slice::from_raw_parts(ptr, len);
    match domain::walk::check_body(body, 200, None, false) {
        Ok(checked) => checked.warnings.len() as u32,
        Err(_) => u32::MAX,
    }
}
