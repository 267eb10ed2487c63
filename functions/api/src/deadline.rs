//! The invocation's deadline at the boundary: read once from the Lambda context (`lambda_http`
//! puts it in the request's extensions; a WebSocket event carries it beside its payload) and set
//! for the request's task, where the retry driver and every DynamoDB call read it
//! ([`store::deadline`]). Whatever the handler awaits, the request answers by the deadline less
//! [`store::deadline::ANSWER_MARGIN`]: a handler still working then is dropped and the answer is
//! the contract's 503 with `Retry-After`, never API Gateway's own 5xx after Lambda's timeout.

use std::future::Future;
use std::time::Instant;

use lambda_http::{Context, Request, RequestExt};

use crate::error::ApiError;

/// The deadline of the invocation that carries `request`; `None` outside Lambda (handler tests).
pub fn of_request(request: &Request) -> Option<Instant> {
    request.lambda_context_ref().and_then(of_context)
}

/// The deadline of the invocation of `context`.
pub fn of_context(context: &Context) -> Option<Instant> {
    store::deadline::instant_of(context.deadline())
}

/// Runs `work` under `deadline`: the store's calls and retries stop in time, and a `work` not
/// done at *answer by* is dropped for [`ApiError::Unavailable`]. Without a deadline, `work` as is.
pub async fn within<T>(
    deadline: Option<Instant>,
    work: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    // Boxed: a handler's future is deep, and inline in the frames around it (the request span,
    // the audit scope, this deadline) it overflowed a 2 MiB worker stack in debug builds.
    let work = Box::pin(work);
    store::deadline::within(deadline, async {
        match store::deadline::answer_by() {
            Some(at) => tokio::time::timeout_at(at.into(), work).await.unwrap_or_else(|_| {
                Err(ApiError::Unavailable("the request did not finish before the invocation's deadline".into()))
            }),
            None => work.await,
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn work_still_running_at_answer_by_gives_unavailable_in_time() {
        let started = Instant::now();
        let deadline = Instant::now() + Duration::from_millis(800);
        let hung: Result<(), ApiError> = within(Some(deadline), std::future::pending()).await;
        assert!(matches!(hung, Err(ApiError::Unavailable(_))));
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(250) && took < Duration::from_millis(800), "{took:?}");
        // Its working twin: work that finishes in time gives its own answer.
        let done = within(Some(Instant::now() + Duration::from_secs(5)), async { Ok::<_, ApiError>(7) }).await;
        assert_eq!(done.unwrap(), 7);
        assert_eq!(within(None, async { Ok::<_, ApiError>(8) }).await.unwrap(), 8);
    }
}
