//! Plain connections to one Redis server, each carrying one request at a time and
//! kept in a pool between requests. A request writes its command and reads its reply
//! on the calling task: no channel to a connection task and back, which is what a
//! multiplexed connection costs per command (two task wake-ups, often on another
//! thread). Concurrent requests take a connection each (the pool grows to the
//! concurrency and keeps up to `MAX_IDLE`). A connection that fails, times out or is
//! dropped mid-request (a cancelled future) is closed, never reused out of step; the
//! next request opens a fresh one, so a restarted server is picked up by itself.

use std::io;
use std::sync::Mutex;
use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::{
    Cmd, ConnectionAddr, ConnectionInfo, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult,
    Value,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Idle connections kept for reuse; more are closed after their request.
const MAX_IDLE: usize = 64;

/// Where and how to connect, and the pool of idle connections.
pub struct DirectPool {
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<String>,
    db: i64,
    connect_timeout: Duration,
    response_timeout: Duration,
    idle: Mutex<Vec<DirectConn>>,
}

struct DirectConn {
    stream: TcpStream,
    /// Bytes read past the replies consumed so far (always empty between requests:
    /// the server sends nothing unasked on a RESP2 connection).
    buf: Vec<u8>,
}

impl DirectPool {
    /// A pool for `info` when it names a TCP address (`None` otherwise: the caller
    /// keeps its general connection type).
    pub fn for_tcp(
        info: &ConnectionInfo,
        connect_timeout: Duration,
        response_timeout: Duration,
    ) -> Option<DirectPool> {
        let ConnectionAddr::Tcp(host, port) = &info.addr else {
            return None;
        };
        Some(DirectPool {
            host: host.clone(),
            port: *port,
            username: info.redis.username.clone(),
            password: info.redis.password.clone(),
            db: info.redis.db,
            connect_timeout,
            response_timeout,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends `packed` (one or more commands) and returns `count` replies after
    /// skipping `skip`.
    async fn request(&self, packed: &[u8], skip: usize, count: usize) -> RedisResult<Vec<Value>> {
        let idle = self.idle.lock().unwrap().pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => self.open().await?,
        };
        let exchange =
            tokio::time::timeout(self.response_timeout, conn.exchange(packed, skip, count));
        let replies = match exchange.await {
            Ok(Ok(replies)) => replies,
            failed => {
                // The server may have gone away: the idle connections are as stale as
                // this one, and each would fail a later request once.
                self.idle.lock().unwrap().clear();
                return Err(match failed {
                    Ok(Err(error)) => error,
                    _ => io::Error::new(io::ErrorKind::TimedOut, "Redis did not answer in time")
                        .into(),
                });
            }
        };
        let mut idle = self.idle.lock().unwrap();
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
        Ok(replies)
    }

    async fn open(&self) -> RedisResult<DirectConn> {
        let connect = TcpStream::connect((self.host.as_str(), self.port));
        let stream = tokio::time::timeout(self.connect_timeout, connect)
            .await
            .map_err(|_| {
                RedisError::from(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connecting to Redis timed out",
                ))
            })??;
        stream.set_nodelay(true)?;
        let mut conn = DirectConn {
            stream,
            buf: Vec::with_capacity(4096),
        };
        let mut setup = redis::pipe();
        if let Some(password) = &self.password {
            let auth = setup.cmd("AUTH");
            if let Some(username) = &self.username {
                auth.arg(username);
            }
            auth.arg(password);
        }
        if self.db != 0 {
            setup.cmd("SELECT").arg(self.db);
        }
        if !setup.is_empty() {
            let count = setup.len();
            let replies = conn
                .exchange(&setup.get_packed_pipeline(), 0, count)
                .await?;
            for reply in replies {
                reply.extract_error()?;
            }
        }
        Ok(conn)
    }
}

impl DirectConn {
    async fn exchange(
        &mut self,
        packed: &[u8],
        skip: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        self.stream.write_all(packed).await?;
        let mut replies = Vec::with_capacity(count);
        for i in 0..skip + count {
            let len = loop {
                if let Some(len) = reply_len(&self.buf)? {
                    break len;
                }
                if self.stream.read_buf(&mut self.buf).await? == 0 {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
                }
            };
            if i >= skip {
                replies.push(parse_reply(&self.buf[..len])?);
            }
            self.buf.drain(..len);
        }
        Ok(replies)
    }
}

/// The length of the complete RESP reply at the start of `buf`, or `None` when more
/// bytes are needed.
fn reply_len(buf: &[u8]) -> RedisResult<Option<usize>> {
    let Some(end) = buf.windows(2).position(|w| w == b"\r\n") else {
        return Ok(None);
    };
    let line = end + 2;
    let number = || -> RedisResult<i64> {
        std::str::from_utf8(&buf[1..end])
            .ok()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| RedisError::from((ErrorKind::ParseError, "bad RESP length")))
    };
    match buf[0] {
        b'$' | b'=' | b'!' => {
            let n = number()?;
            if n < 0 {
                return Ok(Some(line));
            }
            let total = line + n as usize + 2;
            Ok((buf.len() >= total).then_some(total))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = number()?;
            let items = if matches!(buf[0], b'%' | b'|') {
                n * 2
            } else {
                n
            };
            let mut at = line;
            for _ in 0..items.max(0) {
                match reply_len(&buf[at..])? {
                    Some(len) => at += len,
                    None => return Ok(None),
                }
            }
            Ok(Some(at))
        }
        _ => Ok(Some(line)),
    }
}

/// The value of one complete reply (framed by `reply_len`): the RESP2 types a queue
/// reads are decoded here, anything else (errors, RESP3 types) by the redis crate's
/// general parser, so error kinds (`NOSCRIPT`, `MOVED`...) stay the crate's own.
fn parse_reply(reply: &[u8]) -> RedisResult<Value> {
    match simple_value(reply) {
        Some((value, _)) => Ok(value),
        None => redis::parse_redis_value(reply),
    }
}

/// The value at the start of `buf` and its length, for `+ : $ *` replies only.
fn simple_value(buf: &[u8]) -> Option<(Value, usize)> {
    let end = buf.windows(2).position(|w| w == b"\r\n")?;
    let line = &buf[1..end];
    let number = || -> Option<i64> { std::str::from_utf8(line).ok()?.parse().ok() };
    let after = end + 2;
    match buf[0] {
        b'+' if line == b"OK" => Some((Value::Okay, after)),
        b'+' => Some((
            Value::SimpleString(String::from_utf8(line.to_vec()).ok()?),
            after,
        )),
        b':' => Some((Value::Int(number()?), after)),
        b'$' => {
            let n = number()?;
            if n < 0 {
                return Some((Value::Nil, after));
            }
            let data = buf.get(after..after + n as usize)?;
            Some((Value::BulkString(data.to_vec()), after + n as usize + 2))
        }
        b'*' => {
            let n = number()?;
            if n < 0 {
                return Some((Value::Nil, after));
            }
            let mut items = Vec::with_capacity(n as usize);
            let mut at = after;
            for _ in 0..n {
                let (item, len) = simple_value(&buf[at..])?;
                items.push(item);
                at += len;
            }
            Some((Value::Array(items), at))
        }
        _ => None,
    }
}

/// A pool used as a connection (cheap to clone through its `Arc`).
#[derive(Clone)]
pub struct Direct(pub std::sync::Arc<DirectPool>);

impl ConnectionLike for Direct {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut replies = self.0.request(&cmd.get_packed_command(), 0, 1).await?;
            Ok(replies.pop().unwrap_or(Value::Nil))
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipe: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            self.0
                .request(&pipe.get_packed_pipeline(), offset, count)
                .await
        })
    }

    fn get_db(&self) -> i64 {
        self.0.db
    }
}

#[cfg(test)]
mod tests {
    use redis::{ErrorKind, Value};

    use super::{parse_reply, reply_len};

    #[test]
    fn reply_len_frames_whole_replies_only() {
        let whole = b"*3\r\n$3\r\nabc\r\n:12\r\n*2\r\n$-1\r\n+OK\r\nrest";
        assert_eq!(reply_len(whole).unwrap(), Some(whole.len() - 4));
        for cut in 0..whole.len() - 4 {
            assert_eq!(reply_len(&whole[..cut]).unwrap(), None, "cut at {cut}");
        }
        assert_eq!(reply_len(b"-NOSCRIPT x\r\n").unwrap(), Some(13));
        assert_eq!(reply_len(b"*0\r\n").unwrap(), Some(4));
        assert!(reply_len(b"$x\r\n").is_err());
    }

    #[test]
    fn replies_decode_as_the_redis_crate_decodes_them() {
        let replies: [&[u8]; 8] = [
            b"+OK\r\n",
            b"+PONG\r\n",
            b":-42\r\n",
            b"$-1\r\n",
            b"$4\r\na\r\nb\r\n",
            b"*-1\r\n",
            b"*2\r\n*2\r\n$16\r\n0000000000000001\r\n:0\r\n*0\r\n",
            b"*2\r\n:1\r\n-ERR inside\r\n",
        ];
        for reply in replies {
            let ours = parse_reply(reply).unwrap();
            assert_eq!(ours, redis::parse_redis_value(reply).unwrap(), "{reply:?}");
        }
        assert_eq!(
            parse_reply(b"*1\r\n$2\r\nhi\r\n").unwrap(),
            Value::Array(vec![Value::BulkString(b"hi".to_vec())])
        );
        let error = parse_reply(b"-NOSCRIPT No matching script\r\n")
            .unwrap()
            .extract_error()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NoScriptError);
    }
}
