//! Streaming response bodies that never outlive the server.

use std::future::Future;
use std::io;

use axum::body::Body;
use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt};

fn shut_down() -> io::Error {
    io::Error::other("fixture server shut down")
}

/// A body streaming `chunks`; if `shutdown` resolves first, the body fails, which makes the
/// server abort the connection instead of completing the response.
pub(crate) fn until_shutdown<S, F>(chunks: S, shutdown: F) -> Body
where
    S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let state = (Box::pin(chunks), Box::pin(shutdown), false);
    Body::from_stream(stream::unfold(
        state,
        |(mut chunks, mut shutdown, failed)| async move {
            if failed {
                return None;
            }
            tokio::select! {
                biased;
                () = &mut shutdown => Some((Err(shut_down()), (chunks, shutdown, true))),
                item = chunks.next() => item.map(|item| (item, (chunks, shutdown, false))),
            }
        },
    ))
}

/// A body that fails before its first byte. Returned as a response, the headers are never
/// flushed: the client sees the connection close without an answer.
pub(crate) fn abort() -> Body {
    Body::from_stream(stream::once(async { Err::<Bytes, _>(shut_down()) }))
}

/// A body that sends `first` and then fails, so the connection is aborted mid-body.
pub(crate) fn fail_after(first: Bytes) -> Body {
    Body::from_stream(stream::unfold(0u8, move |step| {
        let first = first.clone();
        async move {
            match step {
                0 => Some((Ok(first), 1)),
                1 => {
                    // Yield once so the server flushes the headers and `first` to the socket
                    // before it sees the error and closes the connection.
                    tokio::task::yield_now().await;
                    Some((
                        Err(io::Error::new(
                            io::ErrorKind::ConnectionReset,
                            "fixture aborts the body",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    }))
}
