//! Where requests come from: proxy worker threads and their accept loop
//! (`workers`), one client connection's life and deadlines (`connection`), and
//! process signals (`signals`).

pub(crate) mod connection;
pub(crate) mod signals;
pub(crate) mod workers;
