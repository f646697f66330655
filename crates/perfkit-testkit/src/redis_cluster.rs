//! A real three-master Redis Cluster (`redis-server --cluster-enabled yes`, slots
//! assigned and nodes joined with CLUSTER commands), killed on drop. A durable one
//! (append-only files, `appendfsync always`) survives a master's SIGKILL: the node
//! restarts on its port and directory, rejoins with its slots (its `nodes.conf` is
//! kept) and its acknowledged writes.

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
        RedisCluster::start_nodes(false)
    }

    /// Like [`start`](Self::start), with every node writing an append-only file that
    /// is fsynced before each write is acknowledged, so that
    /// [`restart_node`](Self::restart_node) loses nothing acknowledged.
    pub fn start_durable() -> io::Result<RedisCluster> {
        RedisCluster::start_nodes(true)
    }

    fn start_nodes(durable: bool) -> io::Result<RedisCluster> {
        let nodes = (0..3)
            .map(|_| RedisServer::start_cluster_node(durable))
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

    /// The index of the master that owns `key`'s slot.
    pub fn owner_of(&self, key: &str) -> io::Result<usize> {
        let slot: u16 = self.nodes[0]
            .command(&["CLUSTER", "KEYSLOT", key])?
            .parse()
            .map_err(|_| io::Error::other("CLUSTER KEYSLOT did not answer a number"))?;
        Ok(match slot {
            0..=5460 => 0,
            5461..=10922 => 1,
            _ => 2,
        })
    }

    /// Kills master `index` with SIGKILL, starts it again on the same port and
    /// directory (it rejoins with its `nodes.conf`, and with its data when the cluster
    /// is durable), and waits until every node reports `cluster_state:ok` again.
    pub fn restart_node(&mut self, index: usize) -> io::Result<()> {
        self.nodes[index].restart()?;
        self.wait_ok(Duration::from_secs(30))
    }

    fn wait_ok(&self, limit: Duration) -> io::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            let mut ready = true;
            let mut last = String::new();
            for node in &self.nodes {
                // A restarted node answers `-LOADING` while it replays its file.
                let info = node.command(&["CLUSTER", "INFO"]).unwrap_or_default();
                let ok = info.lines().any(|l| l.trim() == "cluster_state:ok")
                    && info.lines().any(|l| l.trim() == "cluster_known_nodes:3");
                if !ok {
                    last = format!("node {}: {}", node.port(), info.replace("\r\n", " "));
                }
                ready &= ok;
            }
            if ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::other(format!(
                    "the Redis Cluster did not reach cluster_state:ok within {limit:?} ({last})"
                )));
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
        assert_eq!(cluster.owner_of("{user1000}:x").unwrap() == 0, slot <= 5460);
    }

    #[test]
    fn a_restarted_durable_master_rejoins_with_its_slots_and_data() {
        let mut cluster = RedisCluster::start_durable().unwrap();
        let key = "{restart}:k";
        let owner = cluster.owner_of(key).unwrap();
        let node = &cluster.nodes()[owner];
        let (id, port, pid) = (
            node.command(&["CLUSTER", "MYID"]).unwrap(),
            node.port(),
            node.pid(),
        );
        node.command(&["SET", key, "kept"]).unwrap();
        cluster.restart_node(owner).unwrap();
        let node = &cluster.nodes()[owner];
        assert_ne!(node.pid(), pid, "a new process");
        assert_eq!(node.port(), port);
        assert_eq!(node.command(&["CLUSTER", "MYID"]).unwrap(), id);
        assert_eq!(node.command(&["GET", key]).unwrap(), "kept");
        for node in cluster.nodes() {
            let info = node.command(&["CLUSTER", "INFO"]).unwrap();
            assert!(info.contains("cluster_state:ok"), "{info}");
            assert!(info.contains("cluster_slots_assigned:16384"), "{info}");
        }
    }
}
