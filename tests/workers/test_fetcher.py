"""A ConnectorError raised in the fetching child comes back to the poll loop as itself."""

from __future__ import annotations

import pickle

import pytest

from connectors.base import ConnectorError, RateLimited, ReauthRequired, RetryableSendError
from workers.fetcher import _Failure


@pytest.mark.parametrize(
    "error",
    [
        ConnectorError("bad mailbox"),
        ReauthRequired("IMAP login refused"),
        RetryableSendError("server restarting", retry_after=12.0),
        RateLimited("slow down", retry_after=30.0, scopes=("imap:account:1",)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_cross_the_process_boundary_with_their_class_and_attributes(
    error: ConnectorError,
) -> None:
    failure = _Failure(type(error), error.reason, dict(vars(error)))
    back = pickle.loads(pickle.dumps(failure)).rebuild()
    assert type(back) is type(error)
    assert back.reason == error.reason and str(back) == str(error)
    assert vars(back) == vars(error)  # retry_after, scopes
