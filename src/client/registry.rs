//! The registry: the module's one table of live entries (one per stored
//! record) and of live clients by number. Nothing else in the module keeps
//! clients or records.
//!
//! It holds both weakly: clients keep their entry alive, and an entry with no
//! live client is released with its text (as TanStack Query's `gcTime`
//! releases an unused query). What survives it is in its storage: for the
//! module's memory, the bounded store of [`crate::web::storage`].

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::JsValue;

use super::entry::Entry;
use super::ClientState;

thread_local! {
    static ENTRIES: RefCell<Vec<Weak<Entry>>> = const { RefCell::new(Vec::new()) };
    /// Every live client by a number of its own, so that JS can name one
    /// without holding it or a Rust closure (see [`super::Client::handle`]).
    static CLIENTS: RefCell<Vec<(u32, Weak<ClientState>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_HANDLE: Cell<u32> = const { Cell::new(0) };
}

/// The live entry of a storage (`None`: the module's memory) and identity
/// (see [`Entry::id`]), else the one `make` makes, registered.
pub(super) fn entry(storage: &Option<JsValue>, id: &str, make: impl FnOnce() -> Rc<Entry>) -> Rc<Entry> {
    let found = ENTRIES.with(|e| {
        let mut entries = e.borrow_mut();
        entries.retain(|w| w.strong_count() > 0);
        entries.iter().filter_map(Weak::upgrade).find(|entry| entry.id == id && entry.storage == *storage)
    });
    found.unwrap_or_else(|| {
        let entry = make();
        ENTRIES.with(|e| e.borrow_mut().push(Rc::downgrade(&entry)));
        entry
    })
}

/// The live entries whose record is stored under `key` (in any storage).
pub(super) fn entries_of_key(key: &str) -> Vec<Rc<Entry>> {
    ENTRIES.with(|e| e.borrow().iter().filter_map(Weak::upgrade).filter(|entry| entry.key() == key).collect())
}

/// A new client's number.
pub(super) fn add_client(client: &Rc<ClientState>) {
    CLIENTS.with(|c| c.borrow_mut().push((client.handle, Rc::downgrade(client))));
}

/// A number for the next client.
pub(super) fn next_handle() -> u32 {
    NEXT_HANDLE.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    })
}

/// The live client of a number.
pub(super) fn client(handle: u32) -> Option<Rc<ClientState>> {
    CLIENTS.with(|c| c.borrow().iter().find(|(n, _)| *n == handle).and_then(|(_, w)| w.upgrade()))
}

/// Forgets a client that is being dropped.
pub(super) fn remove_client(handle: u32) {
    CLIENTS.with(|c| c.borrow_mut().retain(|(n, w)| *n != handle && w.strong_count() > 0));
}
