"""`switchboard poll ACCOUNT_ID`: start fetching before the command module is even imported.

cli/__init__.py calls `begin` when the process's command is `poll`, before cli.commands and
with it SQLAlchemy and the models are imported (about 0.5 s); the forked child logs in and
parses the first pages meanwhile (workers/early_poll.py says what it checks and why the poll
job trusts none of it). The `poll` command takes the child with `take`.
"""

from __future__ import annotations

from switchboard.settings import Settings
from workers.early_poll import EarlyPoll, start

_started: EarlyPoll | None = None


def begin(args: list[str]) -> None:
    """Start the early fetch for `poll ACCOUNT_ID` (args without the program name); anything
    else (options, a malformed id, a second start) starts nothing."""
    global _started
    words = [a for a in args if not a.startswith("-")]
    if _started is not None or len(words) != 2 or words[0] != "poll" or len(words) != len(args):
        return
    if not words[1].isdigit():
        return
    _started = start(int(words[1]), Settings.load())


def take(account_id: int) -> EarlyPoll | None:
    """The child started for `account_id`, once; None if none was (or for another account)."""
    global _started
    early, _started = _started, None
    if early is not None and early.account_id != account_id:
        early.close()
        return None
    return early
