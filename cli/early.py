"""`switchboard poll ACCOUNT_ID`: start fetching before the command module is even imported.

cli/__init__.py calls `begin` when the process's command is `poll`, before cli.commands and
with it SQLAlchemy and the models are imported (about 0.5 s); the forked child logs in and
fetches the first page meanwhile (workers/early_poll.py says what it checks and why the poll
job trusts none of it). The `poll` command takes the child with `take`.

The same process also gets a lazier garbage collector: a 2,000-mail poll allocates a few
million container objects (imports, pages unpickled, ORM and SQL objects per page) and the
default thresholds collected 365 times, ~0.09 s of the parent's CPU, which is the critical
path. Generation 0 is collected every 50,000 allocations instead of 700 (memory stays
dominated by the pages): 4 collections, ~0.04 s. Only in a process whose command is `poll`.
(gc.freeze() after the imports saved another ~0.01 s, but frozen objects are never collected,
so the interpreter's teardown after a failed poll no longer finalized them: not done.)
"""

from __future__ import annotations

import gc

from switchboard.settings import Settings
from workers.early_poll import EarlyPoll, start

POLL_GC_THRESHOLD = 50_000  # generation 0; generations 1 and 2 keep their defaults (10, 10)

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
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(POLL_GC_THRESHOLD, older, oldest)
    _started = start(int(words[1]), Settings.load())


def take(account_id: int) -> EarlyPoll | None:
    """The child started for `account_id`, once; None if none was (or for another account)."""
    global _started
    early, _started = _started, None
    if early is not None and early.account_id != account_id:
        early.close()
        return None
    return early
