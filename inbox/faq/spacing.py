"""Put the spaces back into an unspaced run ("네이버아이디로회원가입할수있어요") for the checks
that read a message word by word.

The services, topics and unknown-owner checks (inbox.faq.services, .topics, .owners) decide
who owns a request from a word's role: its particle (네이버로 로그인: ours; 네이버 계정: theirs),
the words after it, its length. A customer who types without spaces hands them one token of
fifteen syllables, and they read it as a name with a request glued on: "네이버아이디로회원가입
할수있어요" was silenced as Naver's own request, though "네이버 아이디로 회원가입" is answered.

The words come from what the index already knows (its articles, the labelled phrasings, the
everyday and service words, the topics lexicon), as written: a word is a customer's word
with its particle or ending ("아이디로", "가입했는데"). A run is cut where known words cover
it with the fewest pieces; a syllable no known word covers costs more than any cut, so a run
with unknown parts is only cut around them. Runs shorter than `MIN_RUN` syllables, or known
whole, are left alone. No dictionary, no model: the segmentation is as good as the words the
shop has seen, and it grows with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_HANGUL_WORD = re.compile(r"[가-힣]+")
# Shorter runs are words with their endings ("주문했는데요", "배송지변경"); the checks already
# read those.
MIN_RUN = 8
MAX_WORD = 8
_UNKNOWN = 3.0  # the cost of a syllable no known word covers, against 1 per word


class Spacer:
    def __init__(self, texts: Iterable[str]) -> None:
        self.words: frozenset[str] = frozenset(
            word for text in texts for word in _HANGUL_WORD.findall(text.lower()) if len(word) > 1
        )

    def split(self, run: str) -> list[str]:
        """`run` cut into known words (unknown syllables kept together between them)."""
        n = len(run)
        best = [0.0] + [float("inf")] * n
        back = [0] * (n + 1)
        for end in range(1, n + 1):
            for start in range(max(0, end - MAX_WORD), end):
                piece = run[start:end]
                if piece in self.words:
                    cost = best[start] + 1.0
                elif end - start == 1:
                    cost = best[start] + _UNKNOWN
                else:
                    continue
                if cost < best[end]:
                    best[end], back[end] = cost, start
        pieces: list[str] = []
        end = n
        while end > 0:
            start = back[end]
            piece = run[start:end]
            if pieces and piece not in self.words and pieces[-1] not in self.words:
                pieces[-1] = piece + pieces[-1]  # unknown syllables stay one piece
            else:
                pieces.append(piece)
            end = start
        return pieces[::-1]

    def __call__(self, text: str) -> str:
        """`text` with its long unspaced Hangul runs spaced; everything else as it was."""

        def spaced(match: re.Match[str]) -> str:
            run = match.group(0)
            if len(run) < MIN_RUN or run.lower() in self.words:
                return run
            return " ".join(self.split(run))

        return _HANGUL_WORD.sub(spaced, text)
