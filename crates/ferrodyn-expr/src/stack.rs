//! Parsing deeply nested expressions on a thread with a large stack.
//!
//! The parser recurses once per level of parentheses (runs of NOT, AND and
//! OR are loops), and the walk and validation once per level of the tree,
//! where each NOT, AND and OR is a level too. An expression may nest up to
//! [`EXPRESSION_NESTING_DEPTH_MAX`] parentheses and hold hundreds of
//! operators, which in a debug build needs more stack than a caller's
//! thread can be relied on to have (tokio's workers get 2 MiB). Everyday
//! expressions are shallow and run on the caller's thread; those whose
//! nesting could exceed [`INLINE_NESTING_MAX`] run on a scoped helper
//! thread with [`HELPER_STACK_BYTES`] of stack, which the operating system
//! commits only as it is used.
//!
//! [`EXPRESSION_NESTING_DEPTH_MAX`]: ferrodyn_model::limits::EXPRESSION_NESTING_DEPTH_MAX

use crate::lexer::{TokenKind, Tokens};

/// The deepest nesting (see [`nesting_bound`]) parsed on the caller's thread.
const INLINE_NESTING_MAX: usize = 48;

/// The helper thread's stack: enough for the nesting limit in a debug build,
/// with a wide margin.
const HELPER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// An upper bound on how deeply the parsed tree of `text` can nest: the
/// deepest parenthesis nesting plus the number of NOT, AND and OR keywords.
fn nesting_bound(text: &str) -> usize {
    let tokens = Tokens::new(text);
    let mut depth: usize = 0;
    let mut deepest = 0;
    let mut keywords = 0;
    for index in 0..tokens.len() {
        match tokens.get(index).kind {
            TokenKind::LParen => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            TokenKind::RParen => depth = depth.saturating_sub(1),
            TokenKind::Not | TokenKind::And | TokenKind::Or => keywords += 1,
            _ => {}
        }
    }
    deepest + keywords
}

/// Runs `parse` on the current thread, or on a helper thread with a large
/// stack when `text` may nest deeply.
pub(crate) fn run<T: Send>(text: &str, parse: impl FnOnce() -> T + Send) -> T {
    if nesting_bound(text) <= INLINE_NESTING_MAX {
        return parse();
    }
    // The closure waits in a slot so that, should the thread not start, it
    // can still run here.
    let slot = std::sync::Mutex::new(Some(parse));
    let take = || slot.lock().ok().and_then(|mut guard| guard.take());
    let on_helper = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("ferrodyn-expr-parse".to_string())
            .stack_size(HELPER_STACK_BYTES)
            .spawn_scoped(scope, || take().map(|parse| parse()));
        match spawned.map(|handle| handle.join()) {
            Ok(Ok(result)) => result,
            // A panic in the parser is a bug; let it continue on the
            // caller's thread as if it had happened there.
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // The process cannot create threads now: parse here instead,
            // which is only a risk for the deepest expressions.
            Err(_) => None,
        }
    });
    match on_helper {
        Some(result) => result,
        None => match take() {
            Some(parse) => parse(),
            // The helper took the closure but returned nothing: impossible,
            // as it returns whatever the closure returns.
            None => unreachable!("parser closure consumed without a result"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_counts_nesting_and_logical_keywords() {
        assert_eq!(nesting_bound("a = b"), 0);
        assert_eq!(nesting_bound("f(a) AND g(b)"), 2);
        assert_eq!(nesting_bound("((a)) OR NOT (b)"), 4);
        assert_eq!(nesting_bound("android = notes"), 0);
    }
}
