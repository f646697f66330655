//! A private `redis-server` with append-only persistence (`appendfsync always`) in a
//! directory the test owns, which can be killed with SIGKILL and started again on the
//! same port and data: for tests of what survives a Redis crash.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` with AOF on, restartable on the same port and directory.
#[derive(Debug)]
pub struct PersistentRedis {
    child: Option<Child>,
    addr: SocketAddr,
    dir: PathBuf,
}

impl PersistentRedis {
    /// Starts it with its data in `dir` (created if missing).
    pub fn start(dir: &Path) -> io::Result<PersistentRedis> {
        std::fs::create_dir_all(dir)?;
        let mut redis = PersistentRedis {
            child: None,
            addr: SocketAddr::from(([127, 0, 0, 1], crate::free_port())),
            dir: dir.to_owned(),
        };
        redis.spawn()?;
        Ok(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://{}", self.addr)
    }

    /// SIGKILLs the server (no shutdown save) and starts it again on the same port
    /// with the same data directory; returns once it answers `PING`.
    pub fn crash_and_restart(&mut self) -> io::Result<()> {
        self.kill();
        self.spawn()
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn spawn(&mut self) -> io::Result<()> {
        let binary =
            std::env::var("PERFKIT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(&binary)
            .args(["--port", &self.addr.port().to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(&self.dir)
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
            // Loading the AOF answers -LOADING; wait for +PONG.
            if let Ok(reply) = self.ping() {
                if reply == "+PONG" {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(io::Error::other("redis-server did not come back"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl PersistentRedis {
    /// `PING`'s reply line: `+PONG`, or `-LOADING ...` while the AOF is replayed.
    fn ping(&self) -> io::Result<String> {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.write_all(b"PING\r\n")?;
        let mut reply = String::new();
        BufReader::new(stream).read_line(&mut reply)?;
        Ok(reply.trim_end().to_owned())
    }
}

impl Drop for PersistentRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
