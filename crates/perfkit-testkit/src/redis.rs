//! A private `redis-server` process per test, on a free loopback port, killed on drop:
//! plain (no persistence), persistent (append-only file, `appendfsync always`, in a
//! directory the test owns, so a SIGKILL and restart keeps what was acknowledged), or
//! a cluster node (see [`crate::RedisCluster`]). Any of them can be stopped and
//! started again on the same port, to test outages.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What kind of server to run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Plain,
    /// Append-only file in this directory, kept across restarts.
    Persistent(PathBuf),
    /// A cluster node; with `durable`, also an append-only file fsynced before each
    /// write is acknowledged. Its `nodes.conf` (identity, slots, epochs) is kept
    /// across restarts, so a restarted node rejoins with its slots and data.
    Cluster {
        durable: bool,
    },
}

/// A running `redis-server` that belongs to one test.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    addr: SocketAddr,
    /// The server's working directory (its own temporary one unless persistent).
    dir: PathBuf,
    mode: Mode,
}

impl RedisServer {
    /// Starts `redis-server` (from `$PERFKIT_REDIS_SERVER` or `PATH`) with no persistence
    /// and waits until it answers `PING`.
    pub fn start() -> io::Result<RedisServer> {
        RedisServer::start_mode(Mode::Plain)
    }

    /// Starts a server whose data is an append-only file in `dir` (created if
    /// missing), written before each write is acknowledged: [`restart`](Self::restart)
    /// after a SIGKILL comes back with every acknowledged write.
    pub fn start_persistent(dir: &Path) -> io::Result<RedisServer> {
        std::fs::create_dir_all(dir)?;
        RedisServer::start_mode(Mode::Persistent(dir.to_owned()))
    }

    /// A cluster-enabled node with no slots yet (for [`crate::RedisCluster`]);
    /// `durable` adds an append-only file with `appendfsync always`.
    pub(crate) fn start_cluster_node(durable: bool) -> io::Result<RedisServer> {
        RedisServer::start_mode(Mode::Cluster { durable })
    }

    fn start_mode(mode: Mode) -> io::Result<RedisServer> {
        let mut last_error = None;
        // Another process may take the free port between our probe and redis' bind.
        for _ in 0..5 {
            let port = crate::free_port();
            let dir = match &mode {
                Mode::Persistent(dir) => dir.clone(),
                _ => std::env::temp_dir()
                    .join(format!("perfkit-redis-{}-{port}", std::process::id())),
            };
            std::fs::create_dir_all(&dir)?;
            if let Mode::Cluster { .. } = mode {
                // A fresh node: forget what an earlier process with this name wrote.
                let _ = std::fs::remove_file(dir.join("nodes.conf"));
            }
            let mut server = RedisServer {
                child: None,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                dir,
                mode: mode.clone(),
            };
            match server.restart() {
                Ok(()) => return Ok(server),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    /// Kills the server with SIGKILL (no shutdown save; clients see connections drop
    /// and then refused) and waits until it is gone. The port stays this server's.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the server if it runs, starts it again on the same port and waits until
    /// it answers `PING`. A plain server comes back empty, a persistent one with its
    /// data (once its append-only file is loaded); a cluster node keeps its
    /// `nodes.conf` (see [`crate::RedisCluster::restart_node`]).
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop();
        let binary =
            std::env::var("PERFKIT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let mut command = Command::new(&binary);
        command
            .args([
                "--port",
                &self.addr.port().to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .args(["--save", "", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(&self.dir);
        match self.mode {
            Mode::Plain => {
                command.args(["--appendonly", "no"]);
            }
            Mode::Persistent(_) => {
                command.args(["--appendonly", "yes", "--appendfsync", "always"]);
            }
            Mode::Cluster { durable } => {
                if durable {
                    command.args(["--appendonly", "yes", "--appendfsync", "always"]);
                } else {
                    command.args(["--appendonly", "no"]);
                }
                command.args(["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"]);
                // `nodes.conf` in `dir` is kept: a restarted node keeps its id and slots.
            }
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!(
                        "cannot run `{binary}` ({err}); install it: apt-get install -y redis-server"
                    ),
                )
            })?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // Not listening yet, or `-LOADING` while the append-only file is replayed:
            // the process is starting; poll its state until the deadline.
            match self.command(&["PING"]) {
                Ok(reply) if reply == "PONG" => return Ok(()),
                Ok(reply) => return Err(io::Error::other(format!("unexpected reply {reply}"))),
                Err(err) if Instant::now() >= deadline => {
                    self.stop();
                    return Err(err);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `redis://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("redis://{}", self.addr)
    }

    /// Sends `PING` and returns the reply line (`+PONG`).
    pub fn ping(&self) -> io::Result<String> {
        self.command(&["PING"]).map(|reply| format!("+{reply}"))
    }

    /// The process id, e.g. to check it is gone after drop.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Sends one command; returns a simple-string, integer or bulk reply as text, and
    /// an error reply as an error.
    pub fn command(&self, args: &[&str]) -> io::Result<String> {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1))?;
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

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        // A persistent server's directory belongs to the test.
        if !matches!(self.mode, Mode::Persistent(_)) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RedisServer;

    #[test]
    fn starts_answers_and_stops() {
        let redis = RedisServer::start().unwrap();
        assert_eq!(redis.ping().unwrap(), "+PONG");
        let second = RedisServer::start().unwrap();
        assert_ne!(redis.addr(), second.addr(), "each test gets its own server");
        let pid = redis.pid();
        drop(redis);
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
        assert_eq!(second.ping().unwrap(), "+PONG");
    }

    #[test]
    fn stops_and_restarts_on_the_same_port_empty() {
        let mut redis = RedisServer::start().unwrap();
        let addr = redis.addr();
        redis.command(&["SET", "k", "v"]).unwrap();
        assert_eq!(redis.command(&["GET", "k"]).unwrap(), "v");
        redis.stop();
        assert!(redis.ping().is_err());
        redis.restart().unwrap();
        assert_eq!(redis.addr(), addr);
        assert_eq!(redis.ping().unwrap(), "+PONG");
        assert!(redis.command(&["EXISTS", "k"]).unwrap() == "0");
    }

    #[test]
    fn a_persistent_server_keeps_acknowledged_writes_across_a_sigkill() {
        let dir = tempfile_dir();
        let mut redis = RedisServer::start_persistent(&dir).unwrap();
        redis.command(&["SET", "kept", "yes"]).unwrap();
        redis.restart().unwrap();
        assert_eq!(redis.command(&["GET", "kept"]).unwrap(), "yes");
        drop(redis);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "perfkit-redis-persistent-test-{}-{}",
            std::process::id(),
            crate::free_port()
        ))
    }
}
