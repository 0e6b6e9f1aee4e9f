//! A TCP proxy in front of a shared server, to take "the database" away from a service
//! and give it back without touching the server other tests use.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Forwards `127.0.0.1:port()` to a target while open; while cut, nothing listens there
/// (connections are refused) and the connections it carried are gone.
pub(crate) struct Proxy {
    addr: SocketAddr,
    target: SocketAddr,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    /// A proxy to `target` on a free port; cut until [`Proxy::open`].
    pub(crate) async fn new(target: SocketAddr) -> Self {
        let probe = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = probe.local_addr().expect("an address");
        drop(probe);
        Proxy {
            addr,
            target,
            tasks: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The port services connect to.
    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Starts forwarding.
    pub(crate) async fn open(&self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("bind the proxy's port again");
        let target = self.target;
        let tasks = Arc::clone(&self.tasks);
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let forward = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(forward);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Stops listening and drops every connection it carried, as a dead server would.
    pub(crate) async fn cut(&self) {
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
