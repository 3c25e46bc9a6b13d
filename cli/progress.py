"""Progress of long CLI work: a live bar on a terminal, one summary line anywhere else.

Ctrl+C is turned into a request to stop (`stopping`), so the work ends at its next committed
point instead of in the middle of a transaction; the next run resumes from the stored cursor.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

BAR_WIDTH = 24
REDRAW_EVERY = 0.2  # seconds


class Progress:
    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        unit: str = "items",
        stream: TextIO | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stdout
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.count = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        self.stopping = False

    def advance(self, n: int, *, remaining: int | None = None) -> None:
        """Count `n` more done; `remaining` (when the source can say what is left, e.g.
        IMAP's UID SEARCH) makes the total, hence the bar and the ETA, known."""
        self.count += n
        if remaining is not None:
            self.total = self.count + remaining
        now = time.monotonic()
        if self.live and now - self._drawn >= REDRAW_EVERY:
            self._drawn = now
            self.stream.write("\r" + self.status(now) + "\x1b[K")
            self.stream.flush()

    def status(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-6)
        rate = self.count / elapsed
        parts = [self.label]
        if self.total:
            done = min(self.count / self.total, 1.0)
            filled = int(done * BAR_WIDTH)
            parts.append("[" + "#" * filled + " " * (BAR_WIDTH - filled) + "]")
            parts.append(f"{self.count}/{self.total} {self.unit}")
        else:
            parts.append(f"{self.count} {self.unit}")
        parts.append(f"{rate:,.0f}/s")
        if self.total and rate > 0 and self.count < self.total:
            parts.append("ETA " + _duration((self.total - self.count) / rate))
        return " ".join(parts)

    def finish(self, summary: str) -> None:
        """Replace the bar (or print, when not a terminal) with one summary line."""
        elapsed = time.monotonic() - self.started
        rate = self.count / elapsed if elapsed > 0 else 0.0
        line = f"{summary} in {_duration(elapsed)} ({rate:,.0f} {self.unit}/s)"
        if self.stopping:
            line += "; stopped by Ctrl+C at a committed point, run again to resume"
        if self.live:
            self.stream.write("\r\x1b[K")
        self.stream.write(line + "\n")
        self.stream.flush()


@contextmanager
def stop_on_interrupt(progress: Progress) -> Iterator[Progress]:
    """The first Ctrl+C asks the work to stop at its next commit; a second one aborts."""
    if not _main_thread():
        yield progress
        return

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        if progress.stopping:
            raise KeyboardInterrupt
        progress.stopping = True
        progress.stream.write("\nstopping after the current batch (Ctrl+C again to abort)\n")
        progress.stream.flush()

    previous = signal.signal(signal.SIGINT, ask_to_stop)
    try:
        yield progress
    finally:
        signal.signal(signal.SIGINT, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
