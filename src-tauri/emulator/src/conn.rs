//! Connections the emulator can cut on purpose.
//!
//! A fault such as "created, but the response is lost" must look to the client like a dropped
//! connection, not like an HTTP error. axum hands every handler a [`ConnHandle`] (as its
//! `ConnectInfo`); killing it makes every further read and write on that socket fail, so hyper gives
//! up on the connection and closes it without having sent a single byte of the response. The same
//! switch lets [`super::Emulator::shutdown`] close idle keep-alive connections, which would
//! otherwise keep answering after the server has "stopped".

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Default)]
pub(crate) struct KillSwitch {
    killed: AtomicBool,
    /// Read and write wakers, so a connection parked on either side notices the kill at once.
    wakers: Mutex<[Option<Waker>; 2]>,
}

impl KillSwitch {
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(|e| e.into_inner()));
        for waker in wakers.into_iter().flatten() {
            waker.wake();
        }
    }

    /// Registers the waker before reading the flag, so a concurrent `kill` either sees the waker
    /// or is seen here; no wake-up can fall in between.
    fn check(&self, side: usize, cx: &mut Context<'_>) -> io::Result<()> {
        {
            let mut wakers = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
            match &wakers[side] {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => wakers[side] = Some(cx.waker().clone()),
            }
        }
        if self.killed.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection dropped by the emulator",
            ))
        } else {
            Ok(())
        }
    }
}

/// The per-connection handle a handler receives through `ConnectInfo<ConnHandle>`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnHandle(pub(crate) Arc<KillSwitch>);

impl ConnHandle {
    pub(crate) fn kill(&self) {
        self.0.kill();
    }
}

/// Every connection ever accepted, weakly, so shutdown can cut the live ones.
pub(crate) type ConnRegistry = Arc<Mutex<Vec<Weak<KillSwitch>>>>;

pub(crate) fn kill_all(registry: &ConnRegistry) {
    let conns = std::mem::take(&mut *registry.lock().unwrap_or_else(|e| e.into_inner()));
    for conn in conns.iter().filter_map(Weak::upgrade) {
        conn.kill();
    }
}

pub(crate) struct KillableListener {
    pub(crate) inner: TcpListener,
    pub(crate) registry: ConnRegistry,
}

impl Listener for KillableListener {
    type Io = KillableIo;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let switch = Arc::new(KillSwitch::default());
                    {
                        let mut reg = self.registry.lock().unwrap_or_else(|e| e.into_inner());
                        reg.retain(|w| w.strong_count() > 0);
                        reg.push(Arc::downgrade(&switch));
                    }
                    return (
                        KillableIo {
                            inner: stream,
                            switch: switch.clone(),
                        },
                        ConnHandle(switch),
                    );
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr().map(|_| ConnHandle::default())
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

pub(crate) struct KillableIo {
    inner: TcpStream,
    switch: Arc<KillSwitch>,
}

const READ: usize = 0;
const WRITE: usize = 1;

impl AsyncRead for KillableIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if let Err(e) = self.switch.check(READ, cx) {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if let Err(e) = self.switch.check(WRITE, cx) {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.switch.check(WRITE, cx) {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Err(e) = self.switch.check(WRITE, cx) {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Err(e) = self.switch.check(WRITE, cx) {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
