//! Waiting for durability, blocking or not.
//!
//! An engine that writes through a commit queue (the durable one) accepts a
//! commit once its conditions hold and it has its place in the log, and
//! completes it once the log is on disk. A [`Completion`] is that promise:
//! a thread may block on it, or an asynchronous task may await it.
//!
//! Inside [`deferred_durability`], [`crate::Engine::commit`] returns as soon
//! as the commit is accepted and hands its completion to the caller in a
//! [`Durability`], which the caller must await before it acknowledges
//! anything. The server runs single-item writes so on its asynchronous
//! workers: the worker goes on serving other requests while the log is
//! synced, instead of a thread per write sleeping through the fsync.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::Result;

/// The outcome of one accepted commit, set once by the engine.
#[derive(Debug, Default)]
pub(crate) struct Completion {
    state: Mutex<State>,
    done: Condvar,
}

#[derive(Debug, Default)]
struct State {
    result: Option<Result<()>>,
    waker: Option<Waker>,
    /// A thread sleeps in [`Completion::wait`]: only then is the condition
    /// variable signalled (a system call a deferred commit need not pay).
    blocked: bool,
}

impl Completion {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a plain value set once; a panic elsewhere cannot
        // leave it half-written.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the outcome and wakes whoever waits for it.
    pub(crate) fn complete(&self, result: Result<()>) {
        let (waker, blocked) = {
            let mut state = self.state();
            state.result = Some(result);
            (state.waker.take(), state.blocked)
        };
        if blocked {
            self.done.notify_all();
        }
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Blocks the calling thread until the outcome is set.
    pub(crate) fn wait(&self) -> Result<()> {
        let mut state = self.state();
        loop {
            if let Some(result) = &state.result {
                return result.clone();
            }
            state.blocked = true;
            state = self.done.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn poll(&self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let mut state = self.state();
        match &state.result {
            Some(result) => Poll::Ready(result.clone()),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

thread_local! {
    /// Completions of the commits accepted inside the innermost
    /// [`deferred_durability`] on this thread; `None` outside it.
    static DEFERRED: RefCell<Option<Vec<Arc<Completion>>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's commits deferred: a commit that an engine
/// accepts returns at once, before it is durable, and the returned
/// [`Durability`] resolves once every such commit is. Nothing `f` returns may
/// be acknowledged to anyone before that. Reads inside and outside `f` never
/// see a commit before it is durable; a later commit's conditions do. Engines
/// that commit synchronously ignore it (the [`Durability`] is then ready).
pub fn deferred_durability<R>(f: impl FnOnce() -> R) -> (R, Durability) {
    struct Restore(Option<Option<Vec<Arc<Completion>>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                DEFERRED.with(|d| *d.borrow_mut() = outer);
            }
        }
    }
    let outer = DEFERRED.with(|d| d.borrow_mut().replace(Vec::new()));
    let mut restore = Restore(Some(outer));
    let out = f();
    let outer = restore.0.take().unwrap_or_default();
    let pending = DEFERRED
        .with(|d| std::mem::replace(&mut *d.borrow_mut(), outer))
        .unwrap_or_default();
    (out, Durability { pending })
}

/// Hands `completion` to the enclosing [`deferred_durability`], if there is
/// one; `false` if the caller must wait for it itself.
pub(crate) fn defer(completion: &Arc<Completion>) -> bool {
    DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(pending) => {
            pending.push(Arc::clone(completion));
            true
        }
        None => false,
    })
}

/// Resolves once every commit deferred by one [`deferred_durability`] is
/// durable, to the first failure if any failed.
#[derive(Debug, Default)]
#[must_use = "commits are not durable until this resolves"]
pub struct Durability {
    pending: Vec<Arc<Completion>>,
}

impl Durability {
    /// Whether no commit was deferred (the future is ready at once).
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

impl Future for Durability {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        while let Some(first) = this.pending.first() {
            match first.poll(cx) {
                Poll::Ready(Ok(())) => {
                    this.pending.remove(0);
                }
                Poll::Ready(Err(e)) => {
                    this.pending.clear();
                    return Poll::Ready(Err(e));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StorageError;

    fn failed(e: StorageError) -> Arc<Completion> {
        let c = Arc::new(Completion::default());
        c.complete(Err(e));
        c
    }

    fn noop_context() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    #[test]
    fn deferred_commits_resolve_when_completed() {
        let c = Arc::new(Completion::default());
        let (deferred, mut durability) = deferred_durability(|| defer(&c));
        assert!(deferred);
        assert!(!durability.is_empty());
        assert!(!defer(&c), "the scope ends with the call");
        let mut cx = noop_context();
        assert!(Pin::new(&mut durability).poll(&mut cx).is_pending());
        c.complete(Ok(()));
        assert!(matches!(
            Pin::new(&mut durability).poll(&mut cx),
            Poll::Ready(Ok(()))
        ));
    }

    #[test]
    fn a_failed_commit_fails_the_whole_durability() {
        let ok = Arc::new(Completion::default());
        ok.complete(Ok(()));
        let bad = failed(StorageError::Poisoned);
        let ((), mut durability) = deferred_durability(|| {
            defer(&ok);
            defer(&bad);
        });
        let mut cx = noop_context();
        assert!(matches!(
            Pin::new(&mut durability).poll(&mut cx),
            Poll::Ready(Err(StorageError::Poisoned))
        ));
    }

    #[test]
    fn nested_scopes_keep_their_own_commits() {
        let inner_c = Arc::new(Completion::default());
        let outer_c = Arc::new(Completion::default());
        let (((), inner), outer) = deferred_durability(|| {
            let r = deferred_durability(|| {
                defer(&inner_c);
            });
            defer(&outer_c);
            r
        });
        assert_eq!(inner.pending.len(), 1);
        assert!(Arc::ptr_eq(&inner.pending[0], &inner_c));
        assert_eq!(outer.pending.len(), 1);
        assert!(Arc::ptr_eq(&outer.pending[0], &outer_c));
    }

    #[test]
    fn blocking_wait_returns_the_outcome() {
        let c = Arc::new(Completion::default());
        let waiter = {
            let c = Arc::clone(&c);
            std::thread::spawn(move || c.wait())
        };
        c.complete(Ok(()));
        assert!(matches!(waiter.join().expect("join"), Ok(())));
    }
}
