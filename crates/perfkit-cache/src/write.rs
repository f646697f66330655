//! Write-through and write-behind to the application's own store (its database).
//!
//! Write-through writes the store first, then the cache. Write-behind updates the
//! cache at once and queues the write in a bounded buffer that a task flushes in
//! batches; a failed batch is kept and reported (from [`WriteBehind::flush`],
//! [`WriteBehind::shutdown`] and [`WriteBehind::failures`]), never dropped silently.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::cache::{Cache, CacheError};
use crate::entry::Entry;

/// The application's source of truth, as the cache writes to it.
pub trait BackingStore: Send + Sync + 'static {
    /// Writes every `(key, value)`; an error means none of the batch is known written.
    fn write_batch(
        &self,
        batch: Vec<(String, Bytes)>,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// Why a write did not reach the store or the cache.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the backing store refused the write: {0}")]
    Store(String),
    #[error("written to the store, but the cache's L2 missed it: {0}")]
    Cache(#[from] CacheError),
    #[error("the write-behind buffer is full ({0} writes); retry or slow down")]
    Full(usize),
    #[error("the write-behind flusher has stopped")]
    Stopped,
    #[error("{} write-behind batch(es) failed; first: {}", .0.len(), .0[0].error)]
    Failed(Vec<FailedBatch>),
}

/// A batch the store refused, kept with its writes.
#[derive(Debug, Clone)]
pub struct FailedBatch {
    pub writes: Vec<(String, Bytes)>,
    pub error: String,
}

impl Cache {
    /// Write-through: writes `entry`'s body to `store`, then caches the entry. Nothing
    /// is cached when the store refuses.
    pub async fn write_through<S: BackingStore>(
        &self,
        store: &S,
        key: &str,
        entry: Entry,
    ) -> Result<Arc<Entry>, WriteError> {
        store
            .write_batch(vec![(key.to_owned(), entry.body.clone())])
            .await
            .map_err(WriteError::Store)?;
        Ok(self.set(key, entry).await?)
    }
}

/// Write-behind sizing.
#[derive(Debug, Clone, Copy)]
pub struct WriteBehindConfig {
    /// Writes buffered before [`WriteBehind::write`] waits (and `try_write` refuses).
    pub capacity: usize,
    /// Most writes per batch.
    pub max_batch: usize,
    /// Longest a write waits in the buffer before its batch is flushed.
    pub max_delay: Duration,
}

impl Default for WriteBehindConfig {
    fn default() -> Self {
        WriteBehindConfig {
            capacity: 10_000,
            max_batch: 256,
            max_delay: Duration::from_millis(100),
        }
    }
}

enum Command {
    Write(String, Bytes),
    Flush(oneshot::Sender<()>),
}

/// A write-behind writer over one store. Call [`WriteBehind::shutdown`] before
/// dropping it to flush what is buffered and learn of any failure.
#[derive(Debug)]
pub struct WriteBehind {
    cache: Cache,
    sender: mpsc::Sender<Command>,
    failures: Arc<Mutex<Vec<FailedBatch>>>,
    flusher: JoinHandle<()>,
    capacity: usize,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Write(key, _) => write!(f, "Write({key})"),
            Command::Flush(_) => f.write_str("Flush"),
        }
    }
}

impl WriteBehind {
    /// Starts the flushing task on the current tokio runtime.
    pub fn new<S: BackingStore>(cache: Cache, store: S, config: WriteBehindConfig) -> WriteBehind {
        let (sender, receiver) = mpsc::channel(config.capacity.max(1));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let flusher = tokio::spawn(flush_loop(store, receiver, config, Arc::clone(&failures)));
        WriteBehind {
            cache,
            sender,
            failures,
            flusher,
            capacity: config.capacity,
        }
    }

    /// Caches `entry` (both layers; an L2 failure is only counted) and queues its
    /// body for the store; waits while the buffer is full.
    pub async fn write(&self, key: &str, entry: Entry) -> Result<Arc<Entry>, WriteError> {
        let body = entry.body.clone();
        let (cached, _) = self.cache.store(key, entry).await;
        self.sender
            .send(Command::Write(key.to_owned(), body))
            .await
            .map_err(|_| WriteError::Stopped)?;
        Ok(cached)
    }

    /// Like [`WriteBehind::write`] but refuses instead of waiting when the buffer is
    /// full, and caches in L1 only (it does not wait for Redis).
    pub fn try_write(&self, key: &str, entry: Entry) -> Result<Arc<Entry>, WriteError> {
        let permit = self.sender.try_reserve().map_err(|err| match err {
            mpsc::error::TrySendError::Full(()) => WriteError::Full(self.capacity),
            mpsc::error::TrySendError::Closed(()) => WriteError::Stopped,
        })?;
        let body = entry.body.clone();
        let cached = self.cache.set_l1(key, entry);
        permit.send(Command::Write(key.to_owned(), body));
        Ok(cached)
    }

    /// Flushes everything queued so far; reports (and clears) failed batches.
    pub async fn flush(&self) -> Result<(), WriteError> {
        let (done, flushed) = oneshot::channel();
        self.sender
            .send(Command::Flush(done))
            .await
            .map_err(|_| WriteError::Stopped)?;
        flushed.await.map_err(|_| WriteError::Stopped)?;
        self.take_failures()
    }

    /// Batches the store refused so far (kept until read).
    pub fn failures(&self) -> Vec<FailedBatch> {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn take_failures(&self) -> Result<(), WriteError> {
        let failed = std::mem::take(&mut *self.failures.lock().unwrap_or_else(|p| p.into_inner()));
        if failed.is_empty() {
            Ok(())
        } else {
            Err(WriteError::Failed(failed))
        }
    }

    /// Flushes what is buffered, stops the task, and reports every failed batch.
    pub async fn shutdown(self) -> Result<(), WriteError> {
        let WriteBehind {
            sender,
            failures,
            flusher,
            ..
        } = self;
        drop(sender);
        flusher.await.map_err(|_| WriteError::Stopped)?;
        let failed = std::mem::take(&mut *failures.lock().unwrap_or_else(|p| p.into_inner()));
        if failed.is_empty() {
            Ok(())
        } else {
            Err(WriteError::Failed(failed))
        }
    }
}

async fn flush_loop<S: BackingStore>(
    store: S,
    mut receiver: mpsc::Receiver<Command>,
    config: WriteBehindConfig,
    failures: Arc<Mutex<Vec<FailedBatch>>>,
) {
    let max_batch = config.max_batch.max(1);
    let mut batch: Vec<(String, Bytes)> = Vec::new();
    let mut flushed: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        // Wait for the first write of a batch, then gather until full or late.
        let first = receiver.recv().await;
        let mut closed = first.is_none();
        if let Some(command) = first {
            take(command, &mut batch, &mut flushed);
            let deadline = tokio::time::Instant::now() + config.max_delay;
            while batch.len() < max_batch && flushed.is_empty() {
                match tokio::time::timeout_at(deadline, receiver.recv()).await {
                    Ok(Some(command)) => take(command, &mut batch, &mut flushed),
                    Ok(None) => {
                        closed = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
        }
        if !batch.is_empty() {
            let writes = std::mem::take(&mut batch);
            if let Err(error) = store.write_batch(writes.clone()).await {
                tracing::warn!(
                    error,
                    writes = writes.len(),
                    "write-behind batch failed; kept for the caller"
                );
                failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(FailedBatch { writes, error });
            }
        }
        for done in flushed.drain(..) {
            let _ = done.send(());
        }
        if closed {
            return;
        }
    }
}

fn take(
    command: Command,
    batch: &mut Vec<(String, Bytes)>,
    flushed: &mut Vec<oneshot::Sender<()>>,
) {
    match command {
        Command::Write(key, value) => batch.push((key, value)),
        Command::Flush(done) => flushed.push(done),
    }
}
