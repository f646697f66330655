//! `https://` targets (the `tls` feature) against a local TLS server with a
//! self-signed certificate made by rcgen: HTTP/1.1 and HTTP/2 chosen by ALPN.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::server::LatencyServer;
use crate::{run, scenario};

fn self_signed_acceptor() -> TlsAcceptor {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

#[test]
fn https_targets_speak_http1_and_http2_over_tls_with_insecure() {
    let server = LatencyServer::start_tls(Duration::from_millis(1), self_signed_acceptor());
    let url = server.url().replace("127.0.0.1", "localhost");
    assert!(url.starts_with("https://"), "{url}");
    let result = run(&scenario(&format!(
        "target: {url}\ninsecure: true\nthreads: 1\nrequests: 200\n\
         load: {{model: closed, connections: 2}}\n\
         endpoints:\n  - {{name: h1, path: /}}\n  - {{name: h2, path: /, http2: true}}\n"
    )));
    assert_eq!(result.totals.requests, 200);
    assert_eq!(result.totals.errors, 0, "{:?}", result.totals);
    let endpoint = |name: &str| result.endpoints.iter().find(|e| e.name == name).unwrap();
    let (h1, h2) = (endpoint("h1"), endpoint("h2"));
    assert_eq!(h1.totals.requests + h2.totals.requests, 200);
    // The server saw the h2 endpoint's requests over HTTP/2 (ALPN h2) and the
    // others over HTTP/1.1 (ALPN http/1.1), all decrypted.
    assert_eq!(server.http2_requests(), h2.totals.requests);
    assert_eq!(server.requests(), 200);
    assert!(h1.totals.bytes_received > 0 && h2.totals.bytes_received > 0);
}

#[test]
fn a_self_signed_certificate_is_refused_without_insecure() {
    let server = LatencyServer::start_tls(Duration::from_millis(1), self_signed_acceptor());
    let url = server.url().replace("127.0.0.1", "localhost");
    let result = run(&scenario(&format!(
        "target: {url}\nthreads: 1\nrequests: 4\n\
         load: {{model: closed, connections: 1}}\nendpoints: [{{name: h1, path: /}}]\n"
    )));
    assert_eq!(result.totals.errors, 4, "{:?}", result.totals);
    assert_eq!(result.totals.failures.get("connect"), Some(&4));
    assert_eq!(server.requests(), 0);
}
