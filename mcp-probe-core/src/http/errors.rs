//! Walking an error's chain of causes for a typed one.

use std::error::Error as StdError;
use std::io;

/// The first error of type `T` in the source chain.
pub(crate) fn find_source<'a, T: StdError + 'static>(
    err: &'a (dyn StdError + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    let mut hops = 0;
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        hops += 1;
        if hops > 16 {
            break;
        }
        cur = cause(e);
    }
    None
}

/// The error behind `e`. An `io::Error`'s `source()` skips the error it wraps (it returns
/// that error's source), so the wrapped error is taken directly: rustls errors and nested
/// `io::Error`s travel that way.
pub(crate) fn cause<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a (dyn StdError + 'static)> {
    if let Some(inner) = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
        return Some(inner);
    }
    e.source()
}
