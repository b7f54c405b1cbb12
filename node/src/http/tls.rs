//! HTTPS for the API: the operator's certificate chain and key (PEM files), served with rustls
//! (TLS 1.3 and 1.2, the aws-lc-rs provider libp2p already links), and a self-signed pair for
//! nodes without a PKI (`bureau node tls-cert`).
//!
//! Handshakes run apart from the accept loop, each within [`TLS_HANDSHAKE_TIMEOUT`] and at most
//! [`MAX_TLS_HANDSHAKES`] at once, so a client that connects and never speaks holds one slot
//! for a few seconds and never blocks the others.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bureau_service::files;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client has to finish its TLS handshake.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes under way at once; further connections wait to be accepted.
pub const MAX_TLS_HANDSHAKES: usize = 64;
/// Where `bureau node tls-cert` writes the certificate, in the node directory; the CLI trusts
/// it for the directory's API.
pub const SELF_SIGNED_CERT: &str = "api-tls.crt";
/// Where `bureau node tls-cert` writes the key.
pub const SELF_SIGNED_KEY: &str = "api-tls.key";
/// Days a certificate made by `bureau node tls-cert` is valid.
pub const SELF_SIGNED_DAYS: u32 = 825;

/// The crypto rustls uses on both sides.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The server side of the API's TLS, from a PEM certificate chain and its PEM key. The key
/// must be readable by its owner only.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let chain = read_chain(cert)?;
    files::check_private(key, "the API's TLS key")?;
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|error| {
        anyhow::anyhow!(
            "cannot read a PEM private key from {}: {error}",
            key.display()
        )
    })?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("the TLS provider offers no protocol version")?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .with_context(|| {
            format!(
                "{} and {} are not a certificate and its key",
                cert.display(),
                key.display()
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The certificates of a PEM file (a chain, or the one certificate a client trusts).
pub fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| {
            anyhow::anyhow!(
                "cannot read PEM certificates from {}: {error}",
                path.display()
            )
        })?;
    if chain.is_empty() {
        anyhow::bail!("{} holds no PEM certificate", path.display());
    }
    Ok(chain)
}

/// A self-signed certificate for `names` (DNS names or IP addresses; `localhost` and
/// `127.0.0.1` are always added) and its key, both PEM.
pub fn self_signed(names: &[String]) -> Result<(String, String)> {
    let mut all: Vec<String> = names.to_vec();
    for always in ["localhost", "127.0.0.1"] {
        if !all.iter().any(|name| name == always) {
            all.push(always.to_owned());
        }
    }
    let mut params = rcgen::CertificateParams::new(all).context("not a DNS name or IP address")?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "bureau node API");
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(5);
    params.not_after = now + time::Duration::days(i64::from(SELF_SIGNED_DAYS));
    let key = rcgen::KeyPair::generate().context("cannot make a key")?;
    let cert = params
        .self_signed(&key)
        .context("cannot sign the certificate")?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Accepts TCP connections and hands over those whose TLS handshake succeeded.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(listener: TcpListener, config: Arc<rustls::ServerConfig>) -> Result<TlsListener> {
        let local = listener.local_addr()?;
        let (sender, ready) = mpsc::channel(MAX_TLS_HANDSHAKES);
        let accepting = tokio::spawn(accept(listener, TlsAcceptor::from(config), sender));
        Ok(TlsListener {
            ready,
            local,
            accepting,
        })
    }
}

impl std::fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsListener({})", self.local)
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // The port is free again once the server stops.
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(ready) => ready,
            // The accept loop ended (it only does when aborted): nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

async fn accept(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_TLS_HANDSHAKES));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, say: wait rather than spin.
                tracing::warn!(%error, "the API cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            let _slot = slot;
            match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    let _ = ready.send((stream, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "API TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "API TLS handshake timed out"),
            }
        });
    }
}
