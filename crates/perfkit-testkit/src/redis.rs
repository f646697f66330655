//! A private `redis-server` process per test, on a free loopback port, killed on drop.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server` that belongs to one test.
#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    addr: SocketAddr,
}

impl RedisServer {
    /// Starts `redis-server` (from `$PERFKIT_REDIS_SERVER` or `PATH`) with no persistence
    /// and waits until it answers `PING`.
    pub fn start() -> io::Result<RedisServer> {
        let binary =
            std::env::var("PERFKIT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let mut last_error = None;
        // Another process may take the free port between our probe and redis' bind.
        for _ in 0..5 {
            let port = crate::free_port();
            let child = spawn(&binary, port)?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let server = RedisServer { child, addr };
            match server.wait_ready(Duration::from_secs(10)) {
                Ok(()) => return Ok(server),
                Err(err) => last_error = Some(err),
            }
            drop(server);
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    /// Kills the server (clients see connections drop and refused), e.g. to test outages.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts a fresh, empty server on the same port after [`RedisServer::stop`].
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop();
        let binary =
            std::env::var("PERFKIT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.child = spawn(&binary, self.addr.port())?;
            match self.wait_ready(Duration::from_secs(2)) {
                Ok(()) => return Ok(()),
                // The old socket may linger briefly; the new process then exits.
                Err(err) if Instant::now() >= deadline => return Err(err),
                Err(_) => self.stop(),
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `redis://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("redis://{}", self.addr)
    }

    /// Sends `PING` and returns the reply line (`+PONG`).
    pub fn ping(&self) -> io::Result<String> {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.write_all(b"*1\r\n$4\r\nPING\r\n")?;
        let mut buf = [0u8; 64];
        let n = stream.read(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf[..n]).trim_end().to_owned())
    }

    /// The process id, e.g. to check it is gone after drop.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_ready(&self, limit: Duration) -> io::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            match self.ping() {
                Ok(reply) if reply == "+PONG" => return Ok(()),
                Ok(reply) => return Err(io::Error::other(format!("unexpected reply {reply}"))),
                Err(err) if Instant::now() >= deadline => return Err(err),
                // Not listening yet: the process is starting; retry shortly.
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

fn spawn(binary: &str, port: u16) -> io::Result<Child> {
    Command::new(binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ])
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
        })
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    fn stops_and_restarts_on_the_same_port() {
        let mut redis = RedisServer::start().unwrap();
        let addr = redis.addr();
        redis.stop();
        assert!(redis.ping().is_err());
        redis.restart().unwrap();
        assert_eq!(redis.addr(), addr);
        assert_eq!(redis.ping().unwrap(), "+PONG");
    }
}
