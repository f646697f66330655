//! Background jobs for perfkit: durable queues with leases, retries, dead-lettering,
//! deadlines, priorities, delays, unique keys and cron, stored in SQLite (one machine,
//! no external service) or Redis (many machines), behind one [`Backend`] trait; plus
//! the worker runtime, HTTP delivery and the HTTP queue API.

mod any;
mod backend;
mod config;
mod cron;
mod delivery;
pub mod http;
mod job;
mod metrics;
mod queue;
mod redis;
mod redis_direct;
mod redis_lua;
mod sqlite;
mod worker;

pub use any::AnyBackend;
pub use backend::{Backend, QueueError};
pub use config::{
    ApiConfig, BackendChoice, BackendConfig, BackoffConfig, HttpHandlerConfig, QueueConfig,
    QueuesConfig, RetentionConfig, ScheduleConfig, DEFAULT_QUEUES_PATH,
};
pub use cron::{Fired, Schedule, Scheduler};
pub use delivery::{CommandDelivery, Delivery, HttpDelivery, PERMANENT_EXIT};
pub use job::{
    check_queue_name, now_ms, AttemptError, Backoff, DeadSelect, Enqueued, FailOutcome, Job, JobId,
    JobState, Lease, Millis, NewJob, QueueStats, Retention, FAIR_EVERY,
};
pub use metrics::{Event, Metrics};
pub use queue::Queue;
pub use redis::RedisBackend;
pub use sqlite::SqliteBackend;
pub use worker::{Handler, HandlerError, Worker, WorkerOptions, WorkerReport};
