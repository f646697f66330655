//! HTTPS targets (the `tls` feature): rustls client configurations with ALPN, one for
//! HTTP/1.1 endpoints (`http/1.1`) and one for HTTP/2 endpoints (`h2`), checked
//! against Mozilla's root certificates, or against nothing with `insecure`.

use std::io;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::transport::{Stream, Tcp};

/// How to open TLS connections to one target.
#[derive(Clone)]
pub(crate) struct TlsTarget {
    http1: TlsConnector,
    http2: TlsConnector,
    name: ServerName<'static>,
}

impl std::fmt::Debug for TlsTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTarget")
            .field("name", &self.name)
            .finish()
    }
}

impl TlsTarget {
    /// For the server named `host` (a DNS name or an IP address).
    pub fn new(host: &str, insecure: bool) -> Result<TlsTarget, String> {
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| format!("`{host}` is not a valid TLS server name"))?;
        Ok(TlsTarget {
            http1: TlsConnector::from(config(insecure, b"http/1.1")?),
            http2: TlsConnector::from(config(insecure, b"h2")?),
            name,
        })
    }

    /// The TLS handshake over `tcp`, offering HTTP/2 or HTTP/1.1; a server that does
    /// not agree to HTTP/2 when it is asked for is an error.
    pub async fn handshake(&self, tcp: TcpStream, http2: bool) -> io::Result<Stream> {
        let connector = if http2 { &self.http2 } else { &self.http1 };
        let stream = connector.connect(self.name.clone(), Tcp(tcp)).await?;
        if http2 && stream.get_ref().1.alpn_protocol() != Some(b"h2") {
            return Err(io::Error::other(
                "the server did not agree to HTTP/2 (ALPN h2)",
            ));
        }
        Ok(Stream::Tls(Box::new(stream)))
    }
}

fn config(insecure: bool, alpn: &[u8]) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let mut config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![alpn.to_vec()];
    Ok(Arc::new(config))
}

/// `insecure`: any certificate is accepted; handshake signatures are still checked,
/// so the session is encrypted to whoever holds the certificate's key.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
