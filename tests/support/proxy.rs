//! A TCP proxy in front of a server, to take it away from a service and give it back
//! without touching the server other tests use: cut (connections refused, the carried
//! ones closed) or frozen (the carried connections stay open and carry nothing, as a
//! network that silently drops them would; new ones work).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Forwards `127.0.0.1:port()` to a target while open.
pub struct Proxy {
    addr: SocketAddr,
    target: SocketAddr,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// Cancelled to freeze the connections opened until then.
    freeze: Arc<Mutex<CancellationToken>>,
    /// Cancelled to freeze the connections that subscribed (Redis Pub/Sub) until then.
    freeze_subscribers: Arc<Mutex<CancellationToken>>,
}

impl Proxy {
    /// A proxy to `target` on a free port; cut until [`Proxy::open`].
    pub async fn new(target: SocketAddr) -> Self {
        let probe = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = probe.local_addr().expect("an address");
        drop(probe);
        Proxy {
            addr,
            target,
            tasks: Arc::new(Mutex::new(Vec::new())),
            freeze: Arc::new(Mutex::new(CancellationToken::new())),
            freeze_subscribers: Arc::new(Mutex::new(CancellationToken::new())),
        }
    }

    /// The port services connect to.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Starts forwarding.
    pub async fn open(&self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("bind the proxy's port again");
        let target = self.target;
        let tasks = Arc::clone(&self.tasks);
        let freeze = Arc::clone(&self.freeze);
        let freeze_subscribers = Arc::clone(&self.freeze_subscribers);
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let frozen = freeze.lock().unwrap().clone();
                let subscribers = Arc::clone(&freeze_subscribers);
                let forward = tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(target).await {
                        carry(client, server, frozen, subscribers).await;
                    }
                });
                tasks.lock().unwrap().push(forward);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// The connections carried so far stop carrying anything, without being closed;
    /// new connections are carried.
    pub fn freeze(&self) {
        let old = std::mem::take(&mut *self.freeze.lock().unwrap());
        old.cancel();
    }

    /// The connections that subscribed so far stop carrying anything, without being
    /// closed; the others, and new ones, are carried.
    pub fn freeze_subscriptions(&self) {
        let old = std::mem::take(&mut *self.freeze_subscribers.lock().unwrap());
        old.cancel();
    }

    /// Stops listening and drops every connection it carried, as a dead server would.
    pub async fn cut(&self) {
        let tasks: Vec<_> = self.tasks.lock().unwrap().drain(..).collect();
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

/// Carries one connection both ways until it closes; once `frozen` (or, after it sent a
/// SUBSCRIBE, `subscribers`' token) is cancelled, holds it open carrying nothing.
async fn carry(
    mut client: TcpStream,
    mut server: TcpStream,
    frozen: CancellationToken,
    subscribers: Arc<Mutex<CancellationToken>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    let subscribed = CancellationToken::new();
    let up = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = client_read.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            if buf[..n]
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"SUBSCRIBE"))
            {
                let token = subscribers.lock().unwrap().clone();
                let subscribed = subscribed.clone();
                tokio::spawn(async move {
                    token.cancelled().await;
                    subscribed.cancel();
                });
            }
            if server_write.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let down = tokio::io::copy(&mut server_read, &mut client_write);
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = frozen.cancelled() => std::future::pending::<()>().await,
        _ = subscribed.cancelled() => std::future::pending::<()>().await,
    }
}
