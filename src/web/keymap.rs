//! A map from string keys to values for the module's few per-storage-key
//! tables: a vector searched in order. A page has one storage key per API
//! base and key, so a scan beats hashing, and the build carries no hash table
//! code for them (nor `std`'s SipHash).

/// Entries by key, in insertion order (removal moves the last entry into the hole).
pub struct KeyMap<V>(Vec<(String, V)>);

impl<V> KeyMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        KeyMap(Vec::new())
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.index(key).map(|i| &self.0[i].1)
    }

    /// The value of `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.index(key).map(|i| &mut self.0[i].1)
    }

    /// Sets the value of `key`.
    pub fn insert(&mut self, key: String, value: V) {
        match self.index(&key) {
            Some(i) => self.0[i].1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Removes `key` and its value.
    pub fn remove(&mut self, key: &str) {
        if let Some(i) = self.index(key) {
            self.0.swap_remove(i);
        }
    }

    /// The value of `key`, made with `make` when absent.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.index(key) {
            Some(i) => i,
            None => {
                self.0.push((key.to_owned(), make()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }
}
