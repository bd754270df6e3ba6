//! State shared by every connection of one fixture server: sessions, pending server requests,
//! the request log and the shutdown signal.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::{oneshot, watch};

use crate::record::Log;
use crate::Mode;

/// One live session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) mode: Mode,
    /// The negotiated protocol version.
    pub(crate) version: String,
    /// In [`Mode::SessionExpireOnce`]: a session created to recover from an expiry never expires.
    immune: bool,
}

#[derive(Debug, Default)]
struct Sessions {
    by_id: HashMap<String, Session>,
    /// Expiries in [`Mode::SessionExpireOnce`] not yet followed by a re-initialize.
    pending_recoveries: usize,
}

/// What is known about a session id a request carried.
pub(crate) enum Lookup {
    Found(Session),
    /// Unknown, forgotten, or belonging to another mode.
    NotFound,
}

/// Everything one server's handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) addr: SocketAddr,
    pub(crate) log: Log,
    sessions: Mutex<Sessions>,
    /// Server-to-client requests whose answer a stream is waiting for, by id.
    awaited: Mutex<HashMap<String, oneshot::Sender<()>>>,
    counter: AtomicU64,
    server_requests: AtomicU64,
    /// POSTs seen at the [`Mode::ReadyAfter`] path.
    ready_after_posts: AtomicU64,
    /// Whether [`Mode::Switch`] is healthy.
    switch_healthy: AtomicBool,
    seed: RandomState,
    shutdown: watch::Receiver<bool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(addr: SocketAddr, log: Log, shutdown: watch::Receiver<bool>) -> Shared {
        Shared {
            addr,
            log,
            sessions: Mutex::default(),
            awaited: Mutex::default(),
            counter: AtomicU64::new(1),
            server_requests: AtomicU64::new(1),
            ready_after_posts: AtomicU64::new(0),
            switch_healthy: AtomicBool::new(true),
            seed: RandomState::new(),
            shutdown,
        }
    }

    /// A fresh number, unique within this server (starts at 1).
    pub(crate) fn next_number(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// The id of the next server-to-client request: `srv-1`, `srv-2`, …
    pub(crate) fn next_server_request_id(&self) -> String {
        format!(
            "srv-{}",
            self.server_requests.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Counts a POST to the [`Mode::ReadyAfter`] path; `false` for the first
    /// [`crate::READY_AFTER_POSTS`].
    pub(crate) fn ready(&self) -> bool {
        self.ready_after_posts.fetch_add(1, Ordering::Relaxed) >= crate::READY_AFTER_POSTS
    }

    /// Whether [`Mode::Switch`] answers like [`Mode::Json`].
    pub(crate) fn switch_healthy(&self) -> bool {
        self.switch_healthy.load(Ordering::SeqCst)
    }

    /// Turns [`Mode::Switch`] healthy or broken.
    pub(crate) fn set_switch_healthy(&self, healthy: bool) {
        self.switch_healthy.store(healthy, Ordering::SeqCst);
    }

    /// Resolves once the server is shutting down.
    pub(crate) fn shutdown(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.clone();
        async move {
            // An error means the sender is gone, which is a shutdown too.
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }

    /// Creates a session and returns its id (visible ASCII, hard to guess).
    pub(crate) fn create_session(&self, mode: Mode, version: &str) -> String {
        let n = self.next_number();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let id = format!("{:016x}{n:06x}", self.seed.hash_one((n, nanos)));
        let mut sessions = lock(&self.sessions);
        let immune = mode == Mode::SessionExpireOnce && sessions.pending_recoveries > 0;
        if immune {
            sessions.pending_recoveries -= 1;
        }
        sessions.by_id.insert(
            id.clone(),
            Session {
                mode,
                version: version.to_owned(),
                immune,
            },
        );
        id
    }

    pub(crate) fn lookup(&self, mode: Mode, id: &str) -> Lookup {
        match lock(&self.sessions).by_id.get(id) {
            Some(session) if session.mode == mode => Lookup::Found(session.clone()),
            _ => Lookup::NotFound,
        }
    }

    /// Forgets a session of `mode`; false if there was none.
    pub(crate) fn end_session(&self, mode: Mode, id: &str) -> bool {
        let mut sessions = lock(&self.sessions);
        match sessions.by_id.get(id) {
            Some(session) if session.mode == mode => sessions.by_id.remove(id).is_some(),
            _ => false,
        }
    }

    /// Forgets every live session, as a server that restarted would; how many there were.
    pub(crate) fn expire_sessions(&self) -> usize {
        let mut sessions = lock(&self.sessions);
        let n = sessions.by_id.len();
        sessions.by_id.clear();
        n
    }

    /// How many sessions are live (issued and neither ended nor forgotten).
    pub(crate) fn live_sessions(&self) -> usize {
        lock(&self.sessions).by_id.len()
    }

    /// In [`Mode::SessionExpireOnce`]: expires the session if it is not a recovery session.
    /// True if it was expired (the request must be answered 404).
    pub(crate) fn expire_once(&self, id: &str) -> bool {
        let mut sessions = lock(&self.sessions);
        match sessions.by_id.get(id) {
            Some(s) if s.mode == Mode::SessionExpireOnce && !s.immune => {
                sessions.by_id.remove(id);
                sessions.pending_recoveries += 1;
                true
            }
            _ => false,
        }
    }

    /// Registers a server request whose answer a stream will wait for.
    pub(crate) fn await_answer(&self, id: &str) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        lock(&self.awaited).insert(id.to_owned(), tx);
        rx
    }

    /// Stops waiting for an answer (timed out or stream gone).
    pub(crate) fn forget_answer(&self, id: &str) {
        lock(&self.awaited).remove(id);
    }

    /// A client response arrived: wakes the stream waiting for it, if any.
    pub(crate) fn answer_arrived(&self, id: &serde_json::Value) {
        if let Some(id) = id.as_str() {
            if let Some(tx) = lock(&self.awaited).remove(id) {
                let _ = tx.send(());
            }
        }
    }
}
