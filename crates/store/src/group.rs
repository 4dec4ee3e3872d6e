//! What the backends' writers share about a group of batches committed together: which batch
//! may be tried, and how each is answered once the transaction has ended.

use tokio::sync::oneshot;

use crate::StoreError;
use crate::write::{Chain, FailedChains, WriteBatch};

/// Where a ticket's answer goes.
pub(crate) type Done = oneshot::Sender<Result<(), StoreError>>;

/// The batches of one transaction, each with where its answer goes (`None`: a flush).
pub(crate) type Group = Vec<(Option<WriteBatch>, Done)>;

/// One batch of a group, as the transaction goes.
pub(crate) enum Outcome {
    /// Applied; durable once the transaction commits.
    Pending,
    /// Answered already (refused, or skipped).
    Done(Result<(), StoreError>),
}

/// Whether batch `i` of the group is to be applied in this attempt. One that was answered
/// already is not; one whose chain failed before, or had a batch refused earlier in this
/// group (in `refused`), is answered `Skipped`.
pub(crate) fn admit(
    batch: &WriteBatch,
    i: usize,
    outcomes: &mut [Outcome],
    refused: &[(usize, Option<Chain>)],
    failed: &mut FailedChains,
) -> bool {
    if !matches!(outcomes[i], Outcome::Pending) {
        return false;
    }
    let chain = batch.chain();
    let after_refused = chain.is_some() && refused.iter().any(|&(j, c)| j < i && c == chain);
    if after_refused || !failed.admits(chain) {
        outcomes[i] = Outcome::Done(Err(StoreError::Skipped));
        return false;
    }
    true
}

/// Answers every batch of `group` once its transaction ended with `result`: a batch still
/// pending is durable if the transaction committed, and failed (its chain with it) if not.
pub(crate) fn answer(
    group: &mut Group,
    outcomes: Vec<Outcome>,
    result: &Result<(), StoreError>,
    failed: &mut FailedChains,
) {
    for ((batch, done), outcome) in group.drain(..).zip(outcomes) {
        let answer = match (outcome, result) {
            (Outcome::Done(answer), _) => answer,
            (Outcome::Pending, Ok(())) => Ok(()),
            (Outcome::Pending, Err(e)) => {
                failed.fail(batch.and_then(|b| b.chain()));
                Err(e.clone())
            }
        };
        let _ = done.send(answer);
    }
}
