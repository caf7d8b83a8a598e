//! The text fields of a purchase: shared, immutable strings.
//!
//! Models, titles, URLs, article and buyer ids repeat across records (a month of 30,000
//! purchases may hold a few thousand distinct strings). The decoder interns them per
//! response ([`Interner`]), so equal strings share one allocation and a record holds only
//! pointers: an owned `String` per field made text about half of the memory of a loaded
//! history (see BENCHMARKS.md, "Memory of a loaded history").

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use super::fxhash::Set;

/// A purchase's text field, exactly as received. Reads as a `&str` (`Deref`); cloning it
/// copies a pointer. `Arc<String>` rather than `Arc<str>`: one pointer (4 bytes in wasm)
/// instead of pointer and length, for six fields per record; reading it costs one more
/// indirection.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<String>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both are the same allocation (interned together), not just equal text.
    pub fn shares_allocation_with(&self, other: &Text) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::from("")
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Lets sets and maps of `Text` be searched by `&str` (the hash is the string's own).
impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(Arc::new(s.to_string()))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Arc::new(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::from(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        Arc::unwrap_or_clone(t.0)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.0.as_str() == *other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hands out one shared [`Text`] per distinct string (used for one response at a time).
#[derive(Default)]
pub(crate) struct Interner {
    seen: Set<Text>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Text {
        if let Some(t) = self.seen.get(s) {
            return t.clone();
        }
        let t = Text::from(s);
        self.seen.insert(t.clone());
        t
    }
}
