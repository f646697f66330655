//! What the binary's integration tests share: a `perfkit serve` process on free
//! loopback ports, ready once it logs that it listens, killed on drop; under it, any
//! perfkit process whose stderr is read line by line, so a test awaits a log line
//! (listening, a reload, a warm-up) as an event instead of polling.

// Each test target is its own crate and uses its own part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use perfkit_testkit::{free_port, Client};
use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};

/// How long a start, an awaited log line or an exit may take on a busy machine.
pub const WAIT: Duration = Duration::from_secs(30);

/// The line the gateway logs once its proxy and admin listeners are bound.
const LISTENING: &str = "gateway listening";

/// `perfkit ARGS` run in `dir`, logging errors only (the queue API's "listening"
/// line is printed whatever the level).
pub fn perfkit_in(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_perfkit"));
    command
        .args(args)
        .current_dir(dir)
        .env("PERFKIT_LOG", "error");
    command
}

/// A perfkit process whose stderr is read line by line; killed on drop.
pub struct Logged {
    pub child: Child,
    stderr: mpsc::UnboundedReceiver<String>,
    /// The stderr lines received so far, without colours.
    log: Vec<String>,
    /// How many of `log` [`Logged::wait_for_line`] has looked at.
    seen: usize,
}

/// A `perfkit serve` process, killed on drop.
pub struct Served {
    pub process: Logged,
    pub port: u16,
    pub admin_port: u16,
    /// The config file, in `dir`.
    pub config: PathBuf,
    pub dir: tempfile::TempDir,
}

/// How to run `perfkit serve -c CONFIG` besides its config.
#[derive(Default)]
pub struct Launch<'a> {
    /// A command perfkit runs under (e.g. `prlimit --nofile=…`, which execs it, so the
    /// child's pid is perfkit's); empty: none.
    pub wrapper: &'a [&'a str],
    /// Added after `serve -c CONFIG`.
    pub args: &'a [&'a str],
    /// Files written beside the config, as (name, text).
    pub files: &'a [(&'a str, &'a str)],
}

impl Served {
    /// Starts `perfkit serve` with the config `config(port, admin_port)` on two free
    /// ports; returns once it has logged that it listens.
    pub async fn start(config: impl FnOnce(u16, u16) -> String) -> Served {
        Served::launch(config, Launch::default()).await
    }

    /// [`Served::start`], run as `launch` says.
    pub async fn launch(config: impl FnOnce(u16, u16) -> String, launch: Launch<'_>) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let (port, admin_port) = (free_port(), free_port());
        let path = dir.path().join("perfkit.yml");
        std::fs::write(&path, config(port, admin_port)).unwrap();
        for (name, text) in launch.files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let binary = env!("CARGO_BIN_EXE_perfkit");
        let mut command = match launch.wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        command
            .args(["serve", "-c", path.to_str().unwrap()])
            .args(launch.args)
            // The config's log level holds: readiness is a line at info level.
            .env_remove("PERFKIT_LOG");
        let mut served = Served {
            process: Logged::spawn(&mut command),
            port,
            admin_port,
            config: path,
            dir,
        };
        served
            .process
            .wait_for_line(|line| line.contains(LISTENING))
            .await;
        served
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn admin_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.admin_port)
    }

    /// `GET path` on the admin API with `token`: the JSON of a 200 answer.
    pub async fn admin_json(&self, path: &str, token: &str) -> Option<serde_json::Value> {
        let reply = Client::http1()
            .request(
                http::Method::GET,
                &self.admin_url(path),
                &[("authorization", &format!("Bearer {token}"))],
                "",
            )
            .await
            .ok()?;
        (reply.status == 200)
            .then(|| serde_json::from_slice(&reply.body).ok())
            .flatten()
    }

    pub fn config(&self) -> &str {
        self.config.to_str().unwrap()
    }

    pub fn pid(&self) -> u32 {
        self.process.child.id()
    }

    /// Sends the signal `name` (`-HUP`, `-TERM`) with the shell's `kill`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([name, &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// [`Logged::wait_for_line`].
    pub async fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        self.process.wait_for_line(wanted).await
    }

    /// [`Logged::wait_exit`].
    pub async fn wait_exit(&mut self) -> ExitStatus {
        self.process.wait_exit().await
    }

    /// [`Logged::log`].
    pub fn log(&self) -> String {
        self.process.log()
    }
}

impl Logged {
    /// Spawns `command` with its stderr piped (stdout goes nowhere); a thread reads the
    /// lines as they come.
    pub fn spawn(command: &mut Command) -> Logged {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, stderr) = mpsc::unbounded_channel();
        let pipe = child.stderr.take().unwrap();
        // Reads to the end, so perfkit never blocks on a full pipe; the channel closes
        // when perfkit exits (or the test drops its end).
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if lines.send(without_colours(&line)).is_err() {
                    break;
                }
            }
        });
        Logged {
            child,
            stderr,
            log: Vec::new(),
            seen: 0,
        }
    }

    /// Waits for the next stderr line (after those a previous call looked at) that
    /// `wanted` accepts, and returns it; fails if perfkit exits first or none comes
    /// within [`WAIT`].
    pub async fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            while let Some(line) = self.log.get(self.seen) {
                self.seen += 1;
                if wanted(line) {
                    return line.clone();
                }
            }
            match timeout_at(deadline, self.stderr.recv()).await {
                Ok(Some(line)) => self.log.push(line),
                Ok(None) => panic!(
                    "perfkit exited ({:?}) before logging the awaited line:\n{}",
                    self.child.wait(),
                    self.log()
                ),
                Err(_) => panic!(
                    "perfkit did not log the awaited line within {WAIT:?}:\n{}",
                    self.log()
                ),
            }
        }
    }

    /// Waits for perfkit to exit (its stderr closing is the event), within [`WAIT`];
    /// afterwards [`Logged::log`] holds everything it logged.
    pub async fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            match timeout_at(deadline, self.stderr.recv()).await {
                Ok(Some(line)) => self.log.push(line),
                Ok(None) => return self.child.wait().unwrap(),
                Err(_) => panic!("perfkit did not exit within {WAIT:?}:\n{}", self.log()),
            }
        }
    }

    /// What perfkit has logged so far (as far as this test has received it).
    pub fn log(&self) -> String {
        self.log.join("\n")
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `line` without ANSI colour sequences (`ESC [ ... m`).
pub fn without_colours(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}
