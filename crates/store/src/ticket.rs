//! [`Ticket`]: the answer to a write, which resolves once the write is durable.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use crate::StoreError;

/// Resolves to `Ok(())` once the write it answers is on disk (committed and synced), or to the
/// error that stopped it. Dropping a ticket does not cancel the write.
#[derive(Debug)]
#[must_use = "a write is only durable once its ticket resolves"]
pub struct Ticket(Inner);

#[derive(Debug)]
enum Inner {
    Ready(Option<Result<(), StoreError>>),
    Pending(oneshot::Receiver<Result<(), StoreError>>),
}

impl Ticket {
    /// A ticket already resolved (for backends that are durable at once, or fail at once).
    pub fn ready(result: Result<(), StoreError>) -> Self {
        Ticket(Inner::Ready(Some(result)))
    }

    /// A ticket and the sender that resolves it.
    pub fn pending() -> (oneshot::Sender<Result<(), StoreError>>, Self) {
        let (tx, rx) = oneshot::channel();
        (tx, Ticket(Inner::Pending(rx)))
    }

    /// Blocks the thread until the ticket resolves. Not for async code.
    pub fn wait(self) -> Result<(), StoreError> {
        match self.0 {
            Inner::Ready(result) => result.unwrap_or(Err(StoreError::Closed)),
            Inner::Pending(rx) => rx.blocking_recv().unwrap_or(Err(StoreError::Closed)),
        }
    }
}

impl Future for Ticket {
    type Output = Result<(), StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Inner::Ready(result) => Poll::Ready(result.take().unwrap_or(Err(StoreError::Closed))),
            Inner::Pending(rx) => {
                Pin::new(rx).poll(cx).map(|r| r.unwrap_or(Err(StoreError::Closed)))
            }
        }
    }
}
