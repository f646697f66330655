//! A real three-master Redis Cluster (`redis-server --cluster-enabled yes`, slots
//! assigned and nodes joined with CLUSTER commands), killed on drop.

use std::io;
use std::time::{Duration, Instant};

use crate::RedisServer;

/// A Redis Cluster of three masters on loopback, each owning a third of the slots.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts three cluster-enabled servers, assigns slots 0-5460, 5461-10922 and
    /// 10923-16383, joins them, and waits until every node reports `cluster_state:ok`.
    pub fn start() -> io::Result<RedisCluster> {
        let nodes = (0..3)
            .map(|_| RedisServer::start_cluster_node())
            .collect::<io::Result<Vec<_>>>()?;
        let ranges = [("0", "5460"), ("5461", "10922"), ("10923", "16383")];
        for (epoch, (node, (first, last))) in nodes.iter().zip(ranges).enumerate() {
            node.command(&["CLUSTER", "SET-CONFIG-EPOCH", &(epoch + 1).to_string()])?;
            node.command(&["CLUSTER", "ADDSLOTSRANGE", first, last])?;
        }
        for other in &nodes[1..] {
            nodes[0].command(&["CLUSTER", "MEET", "127.0.0.1", &other.port().to_string()])?;
        }
        let cluster = RedisCluster { nodes };
        cluster.wait_ok(Duration::from_secs(30))?;
        Ok(cluster)
    }

    /// `redis://127.0.0.1:PORT` of every master.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }

    fn wait_ok(&self, limit: Duration) -> io::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            let mut ready = true;
            for node in &self.nodes {
                let info = node.command(&["CLUSTER", "INFO"])?;
                let ok = info.lines().any(|l| l.trim() == "cluster_state:ok")
                    && info.lines().any(|l| l.trim() == "cluster_known_nodes:3");
                ready &= ok;
            }
            if ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::other(
                    "the Redis Cluster did not reach cluster_state:ok within 30 s",
                ));
            }
            // Gossip converges over a few hundred milliseconds; poll its state.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RedisCluster;

    #[test]
    fn three_masters_share_the_slots() {
        let cluster = RedisCluster::start().unwrap();
        for node in cluster.nodes() {
            let info = node.command(&["CLUSTER", "INFO"]).unwrap();
            assert!(info.contains("cluster_slots_assigned:16384"), "{info}");
            assert!(info.contains("cluster_size:3"), "{info}");
        }
        // A key in another node's slots is redirected, not stored locally.
        let first = &cluster.nodes()[0];
        let err = first.command(&["SET", "{user1000}:x", "1"]);
        let owned_here = first
            .command(&["CLUSTER", "KEYSLOT", "{user1000}:x"])
            .unwrap();
        let slot: u16 = owned_here.parse().unwrap();
        assert_eq!(err.is_ok(), slot <= 5460, "{err:?}");
    }
}
