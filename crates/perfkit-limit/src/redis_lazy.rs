//! A Redis connection made on first use ([`LazyConnection`]), to one server or to a
//! Redis Cluster, so a process that limits on Redis starts while Redis is down: the
//! limiter's [`crate::FailPolicy`] applies until Redis answers.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::store::StoreError;

/// A cloneable Redis connection that connects when a command first needs it, and
/// again after a failed attempt (each attempt bounded by a 1 s connect timeout). Once
/// connected it reconnects by itself ([`ConnectionManager`], or the cluster client,
/// which also follows `MOVED`/`ASK` redirections).
#[derive(Clone)]
pub struct LazyConnection {
    inner: Arc<Inner>,
}

struct Inner {
    target: Target,
    connection: tokio::sync::OnceCell<Connected>,
}

enum Target {
    Server(redis::Client),
    Cluster(ClusterClient),
}

#[derive(Clone)]
enum Connected {
    Server(ConnectionManager),
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for LazyConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyConnection")
            .field("cluster", &matches!(self.inner.target, Target::Cluster(_)))
            .field("connected", &self.inner.connection.initialized())
            .finish()
    }
}

impl LazyConnection {
    /// One server at `url` (`redis://` or `rediss://`); nothing is sent yet.
    pub fn server(url: &str) -> Result<LazyConnection, StoreError> {
        Ok(LazyConnection::new(Target::Server(redis::Client::open(
            url,
        )?)))
    }

    /// A Redis Cluster reached through any of `urls` (its other nodes are
    /// discovered); nothing is sent yet.
    pub fn cluster(urls: &[String]) -> Result<LazyConnection, StoreError> {
        let client = ClusterClient::builder(urls.to_vec())
            .connection_timeout(Duration::from_secs(1))
            .response_timeout(Duration::from_secs(1))
            .retries(2)
            .build()?;
        Ok(LazyConnection::new(Target::Cluster(client)))
    }

    fn new(target: Target) -> LazyConnection {
        LazyConnection {
            inner: Arc::new(Inner {
                target,
                connection: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// Whether a connection has been made.
    pub fn is_connected(&self) -> bool {
        self.inner.connection.initialized()
    }

    async fn connected(&self) -> redis::RedisResult<Connected> {
        self.inner
            .connection
            .get_or_try_init(|| async {
                Ok(match &self.inner.target {
                    Target::Server(client) => {
                        let config = ConnectionManagerConfig::new()
                            .set_connection_timeout(Duration::from_secs(1))
                            .set_response_timeout(Duration::from_secs(1))
                            .set_number_of_retries(1);
                        Connected::Server(
                            ConnectionManager::new_with_config(client.clone(), config).await?,
                        )
                    }
                    Target::Cluster(client) => {
                        Connected::Cluster(client.get_async_connection().await?)
                    }
                })
            })
            .await
            .cloned()
    }
}

impl ConnectionLike for LazyConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            match self.connected().await? {
                Connected::Server(mut conn) => conn.req_packed_command(cmd).await,
                Connected::Cluster(mut conn) => conn.req_packed_command(cmd).await,
            }
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            match self.connected().await? {
                Connected::Server(mut conn) => conn.req_packed_commands(cmd, offset, count).await,
                Connected::Cluster(mut conn) => conn.req_packed_commands(cmd, offset, count).await,
            }
        })
    }

    fn get_db(&self) -> i64 {
        match &self.inner.target {
            Target::Server(client) => client.get_connection_info().redis.db,
            Target::Cluster(_) => 0,
        }
    }
}
