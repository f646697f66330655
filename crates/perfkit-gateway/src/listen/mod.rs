//! Where requests come from: proxy worker threads and their accept loop
//! (`workers`), one client connection's life and deadlines (`connection`), the
//! workers' own HTTP/1.1 server (`http1`), the request bodies it reads (`feed`) and the interim (`1xx`) responses it passes from upstreams to
//! clients (`interim`), and
//! process signals (`signals`).

pub(crate) mod connection;
pub(crate) mod feed;
pub(crate) mod http1;
pub(crate) mod interim;
pub(crate) mod signals;
pub(crate) mod workers;
