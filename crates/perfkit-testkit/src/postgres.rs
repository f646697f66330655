//! A private PostgreSQL server per test (Debian's `postgresql` package): a fresh
//! cluster in a temporary directory, on a free loopback port, with its unix socket in
//! that directory; stopped and deleted on drop.
//!
//! PostgreSQL refuses to run as root, so under root the directory is handed to the
//! `postgres` user (created by the Debian package) and the server runs via `runuser`.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A running PostgreSQL cluster that belongs to one test; user `postgres`, trust auth.
#[derive(Debug)]
pub struct PostgresServer {
    child: Child,
    dir: PathBuf,
    port: u16,
}

/// The directory holding `initdb` and `postgres` (highest installed version), or
/// `$PERFKIT_POSTGRES_BIN`.
fn bin_dir() -> io::Result<PathBuf> {
    if let Ok(dir) = std::env::var("PERFKIT_POSTGRES_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let missing = || {
        io::Error::new(
            io::ErrorKind::NotFound,
            "PostgreSQL is not installed; install it: apt-get install -y postgresql",
        )
    };
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| missing())?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(missing)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// `program args...`, as the `postgres` user when we are root.
fn command(program: &Path, root: bool) -> Command {
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn check(status: io::Result<std::process::Output>, what: &str) -> io::Result<()> {
    let output = status?;
    if output.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

impl PostgresServer {
    /// Creates a cluster (`initdb`) and starts `postgres` on a free loopback port;
    /// returns once it accepts connections.
    pub fn start() -> io::Result<PostgresServer> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let bin = bin_dir()?;
        let root = is_root();
        let dir = std::env::temp_dir().join(format!(
            "perfkit-postgres-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("socket"))?;
        if root {
            check(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&dir)
                    .output(),
                "chown of the cluster directory to postgres",
            )?;
        }
        check(
            command(&bin.join("initdb"), root)
                .arg("-D")
                .arg(dir.join("data"))
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
                .output(),
            "initdb",
        )?;
        let mut last_error = None;
        // Another process may take the free port between our probe and the bind.
        for _ in 0..5 {
            let port = crate::free_port();
            let child = command(&bin.join("postgres"), root)
                .arg("-D")
                .arg(dir.join("data"))
                .arg("-k")
                .arg(dir.join("socket"))
                .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
                .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
                .args(["-c", "full_page_writes=off", "-c", "max_connections=200"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            let mut server = PostgresServer {
                child,
                dir: dir.clone(),
                port,
            };
            match server.wait_ready(&bin, Duration::from_secs(30)) {
                Ok(()) => return Ok(server),
                Err(err) => last_error = Some(err),
            }
            server.stop();
            // Keep the directory for the next attempt.
            server.dir = PathBuf::new();
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(last_error.unwrap_or_else(|| io::Error::other("postgres did not start")))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn wait_ready(&mut self, bin: &Path, limit: Duration) -> io::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(io::Error::other(format!("postgres exited with {status}")));
            }
            // Listening and past recovery: pg_isready says "accepting connections".
            let listening =
                TcpStream::connect_timeout(&self.addr(), Duration::from_millis(200)).is_ok();
            if listening
                && Command::new(bin.join("pg_isready"))
                    .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
                    .status()
                    .is_ok_and(|s| s.success())
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::other(
                    "postgres did not accept connections in time",
                ));
            }
            // Starting up; retry shortly.
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Immediate shutdown of the postmaster (its pid is in `postmaster.pid`; under
    /// `runuser` the child we hold is not postgres itself).
    fn stop(&mut self) {
        let pid_file = self.dir.join("data").join("postmaster.pid");
        if let Some(pid) = std::fs::read_to_string(pid_file)
            .ok()
            .and_then(|text| text.lines().next().map(str::to_owned))
        {
            let _ = Command::new("kill").args(["-QUIT", &pid]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
        if !self.dir.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PostgresServer;

    #[test]
    fn starts_accepts_connections_and_stops() {
        let server = PostgresServer::start().unwrap();
        assert!(std::net::TcpStream::connect(server.addr()).is_ok());
        let dir = server.dir.clone();
        let addr = server.addr();
        drop(server);
        assert!(!dir.exists(), "the cluster directory is removed");
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "the server is gone"
        );
    }
}
