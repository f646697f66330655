//! `Queue`: the producer's handle on one named queue.

use crate::backend::{Backend, QueueError};
use crate::job::{now_ms, Enqueued, NewJob};

/// Enqueues jobs onto one queue of a backend.
#[derive(Debug, Clone)]
pub struct Queue<B> {
    backend: B,
    name: String,
}

impl<B: Backend> Queue<B> {
    pub fn new(backend: B, name: impl Into<String>) -> Queue<B> {
        Queue {
            backend,
            name: name.into(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// A job for this queue with default settings, to adjust with `NewJob`'s setters.
    pub fn job(&self, payload: impl Into<Vec<u8>>) -> NewJob {
        NewJob::new(self.name.clone(), payload)
    }

    /// Stores one job; returns once it is durable.
    pub async fn enqueue(&self, job: NewJob) -> Result<Enqueued, QueueError> {
        let mut ids = self.enqueue_batch(vec![job]).await?;
        ids.pop()
            .ok_or_else(|| QueueError::Corrupt("no id for an enqueued job".into()))
    }

    /// Stores jobs all or none (each job is put on this queue).
    pub async fn enqueue_batch(&self, mut jobs: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError> {
        for job in &mut jobs {
            job.queue.clone_from(&self.name);
        }
        self.backend.enqueue(jobs, now_ms()).await
    }
}
