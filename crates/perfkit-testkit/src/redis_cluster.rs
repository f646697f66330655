//! Redis processes a test can stop and start again on the same port, and a real
//! three-master Redis Cluster built from them (`redis-server --cluster-enabled yes`,
//! slots assigned and nodes joined with CLUSTER commands), all killed on drop.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One `redis-server` on a fixed loopback port that can be killed and restarted.
#[derive(Debug)]
pub struct RedisNode {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    cluster: bool,
}

impl RedisNode {
    /// A standalone server with no persistence, answering `PING`.
    pub fn start() -> io::Result<RedisNode> {
        RedisNode::start_with(false)
    }

    fn start_with(cluster: bool) -> io::Result<RedisNode> {
        let mut last_error = None;
        // Another process may take the free port between our probe and redis' bind.
        for _ in 0..5 {
            let port = crate::free_port();
            let dir =
                std::env::temp_dir().join(format!("perfkit-redis-{}-{port}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let mut node = RedisNode {
                child: None,
                port,
                dir,
                cluster,
            };
            match node.restart() {
                Ok(()) => return Ok(node),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `redis://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("redis://{}", self.addr())
    }

    /// Kills the server (SIGKILL) and waits for it to be gone; the port stays ours.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (empty: nothing was persisted) and
    /// waits until it answers `PING`.
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill();
        let binary =
            std::env::var("PERFKIT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let mut command = Command::new(&binary);
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir);
        if self.cluster {
            command.args(["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"]);
            // A fresh node each start: forget what an earlier run wrote.
            let _ = std::fs::remove_file(self.dir.join("nodes.conf"));
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("cannot run `{binary}` ({err}); install it: apt-get install -y redis-server"),
                )
            })?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.command(&["PING"]) {
                Ok(reply) if reply == "PONG" => return Ok(()),
                Ok(reply) => return Err(io::Error::other(format!("unexpected reply {reply}"))),
                Err(err) if Instant::now() >= deadline => {
                    self.kill();
                    return Err(err);
                }
                // Not listening yet: the process is starting; retry shortly.
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// Sends one command; returns a simple-string, integer or bulk reply as text, and
    /// an error reply as an error.
    pub fn command(&self, args: &[&str]) -> io::Result<String> {
        let mut stream = TcpStream::connect_timeout(&self.addr(), Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream.write_all(request.as_bytes())?;
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        match line.split_at_checked(1) {
            Some(("+" | ":", rest)) => Ok(rest.to_owned()),
            Some(("-", rest)) => Err(io::Error::other(format!("redis: {rest}"))),
            Some(("$", len)) => {
                let len: usize = len
                    .parse()
                    .map_err(|_| io::Error::other(format!("bad bulk length {len}")))?;
                let mut body = vec![0; len + 2];
                reader.read_exact(&mut body)?;
                body.truncate(len);
                String::from_utf8(body).map_err(|err| io::Error::other(err.to_string()))
            }
            _ => Err(io::Error::other(format!("unexpected reply {line:?}"))),
        }
    }
}

impl Drop for RedisNode {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis Cluster of three masters on loopback, each owning a third of the slots.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisNode>,
}

impl RedisCluster {
    /// Starts three cluster-enabled servers, assigns slots 0-5460, 5461-10922 and
    /// 10923-16383, joins them, and waits until every node reports `cluster_state:ok`.
    pub fn start() -> io::Result<RedisCluster> {
        let nodes = (0..3)
            .map(|_| RedisNode::start_with(true))
            .collect::<io::Result<Vec<_>>>()?;
        let ranges = [("0", "5460"), ("5461", "10922"), ("10923", "16383")];
        for (epoch, (node, (first, last))) in nodes.iter().zip(ranges).enumerate() {
            node.command(&["CLUSTER", "SET-CONFIG-EPOCH", &(epoch + 1).to_string()])?;
            node.command(&["CLUSTER", "ADDSLOTSRANGE", first, last])?;
        }
        for other in &nodes[1..] {
            nodes[0].command(&["CLUSTER", "MEET", "127.0.0.1", &other.port.to_string()])?;
        }
        let cluster = RedisCluster { nodes };
        cluster.wait_ok(Duration::from_secs(30))?;
        Ok(cluster)
    }

    /// `redis://127.0.0.1:PORT` of every master.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisNode::url).collect()
    }

    pub fn nodes(&self) -> &[RedisNode] {
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
    use super::{RedisCluster, RedisNode};

    #[test]
    fn a_node_restarts_on_its_port() {
        let mut node = RedisNode::start().unwrap();
        node.command(&["SET", "k", "v"]).unwrap();
        assert_eq!(node.command(&["GET", "k"]).unwrap(), "v");
        node.kill();
        assert!(node.command(&["PING"]).is_err());
        node.restart().unwrap();
        assert_eq!(node.command(&["PING"]).unwrap(), "PONG");
    }

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
