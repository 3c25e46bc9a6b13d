"""Nonsense built from the shop's own words gets no FAQ answer.

"주문 주문 주문 배송 배송", "환불배송취소탈퇴비번주소", "{{customer.name}}님의 주문이 {{status}}",
"console.log('환불')", "ㅇㄴㄹㅇㄴㄹ 주문번호": every word the ranking sees is an article's, so
the score gate believes it, and the veto has seen too few such lines to learn them. What they
share is not a topic but a shape, read here without any list of topics:

- code, SQL or template markup (`{{ }}`, `{"…": null}`, `console.`, `print(`, `time.sleep(`,
  `while True`, `SET x =`, `; --`, `#include`, `main() {`) or a shell command (`git push …`,
  `sudo rm -rf /`): a customer pastes an order number, never a program;
- a keyboard mash of bare jamo (ㅁㄴㅇㄹ, ㅓㅏㅓㅏ), laughter and ㅠㅠ aside;
- a word salad: four or more of the articles' request words, some repeated (or run together in
  one or two tokens), and hardly any other word: no predicate, no object, no request.

A real keyword query names two or three of them once ("주문 취소 환불"); a long question that
repeats them carries its own words too ("비회원으로 주문했는데 주문 조회 어떻게 해요"). Checked
on every bench question: none of the labelled ones has this shape (docs/decisions.md, "FAQ
round 16").
"""

from __future__ import annotations

import re

from inbox.faq.text import HANGUL_LETTER

# The articles' request words and topics (the topics gate's and owners.py's, and the nouns a
# salad strings together: 문의, 제품, 연락처).
_REQUEST_WORDS = re.compile(
    r"배송|배달|택배|환불|반품|교환|취소|주문|결제|회원|가입|탈퇴|비밀번호|비번|아이디|계정|"
    r"주소|조회|송장|연락처|변경|문의|제품|상품|적립금|쿠폰|영수증|재고|성분|로그인|"
    r"order|refund|cancel|delivery|shipping|account|password|address"
)
# Tags are dropped before this is asked (FaqIndex.answer): "<b>배송 언제 와요</b>" is a question.
# A method call ("time.sleep(0.5)"), a loop header ("while True:") and a sum are code too
# (round 19).
_CODE = re.compile(
    r"\{\{|\}\}|\{\s*\"|console\.|print\(|\)\s*;|=>|\bundefined\b|\bnull\b|\$\{|"
    r"\b[a-z_]+\.[a-z_]+\(|\bwhile\s+true\b|"
    # A function defined ("def f(x): return x**2", "function add(a, b) {", "lambda x: x + 1";
    # round 21, after the run), or a power written as code: a definition's shape, not the
    # words, since "return" and "function" are a customer's too.
    r"\bdef\s+[a-z_]\w*\s*\(|\bfunction\s*[a-z_]*\s*\([^)]*\)\s*\{|\blambda\s+[a-z_]\w*\s*:|"
    r"\b[a-z_]\w*\s*\*\*\s*\d|"
    # Arithmetic with an equals sign ("2x+3=11 이면 x는", "1+1=?"): homework, not an order.
    r"\d\s*[a-z]?\s*[-+*/×÷^]\s*\d+\s*[a-z]?\s*=|"
    # C, C++ and Java (round 22: "#include <stdio.h> int main(){return 0;}"): a preprocessor
    # line, a function's body opened after its parameters, a literal returned with a
    # semicolon, a library call; "can I return it; the box is torn" returns no literal.
    r"#\s*(?:include|define|ifndef|pragma)\b|\b[a-z_]\w*\s*\([^()]*\)\s*\{|"
    r"\breturn\s+(?:-?\d+|true|false|null|nullptr)\s*;|\bstd::|\bprintf\s*\(|"
    r"\bpublic\s+static\s+void\b|\bsystem\.out\."
)
# SQL a visitor pastes to probe the widget ("'; UPDATE members SET grade='VIP' WHERE id=7; --"):
# the shapes of a statement, not its words, since "delete my account from the site" is ours.
_SQL = re.compile(
    r";\s*--|\b(?:set|where)\s+[a-z_]+\s*=|\bdrop\s+table\b|\bselect\s+\*|"
    r"\bunion\s+select\b|\binsert\s+into\b"
)
# A shell command pasted whole ("git push origin main --force", "sudo rm -rf /", "kubectl get
# pods -n staging"): a command word first and no Hangul anywhere (round 20).
_SHELL = re.compile(
    r"^\s*(?:sudo\s+)?(?:git|npm|npx|yarn|pip3?|kubectl|docker|rm|chmod|chown|curl|wget|"
    r"apt|apt-get|brew|ssh|scp|mkdir)\s+[a-z0-9./~-]"
)
# More of a terminal and a program's output (round 21): a command with its flags, path or pipe
# ("ls -la /var/log | grep error", "cat /etc/hosts", "tail -f app.log"), a Python or Java
# error ("Traceback (most recent call last): File \"main.py\", line 3", "KeyError: 'id'",
# "Exception in thread \"main\""), and SQL that rewrites a table ("TRUNCATE shipments
# CASCADE", "ALTER TABLE orders ADD …", "SELECT name FROM users"). A command word alone is not
# enough: "find my order", "cat food", "head office" are English requests or topics.
_SHELL_ARGS = re.compile(
    r"^\s*(?:sudo\s+)?(?:ls|cd|cat|grep|egrep|echo|tail|sed|awk|tar|ps|kill|python3?|node|"
    r"cargo|systemctl|journalctl|df|du|mv|cp|vim?|nano)\s+"
    r"(?:\S+\s+)*?(?:-{1,2}[a-z]|/|~/|\||&&|>)"
)
_PIPE = re.compile(r"\|\s*(?:grep|awk|sed|sort|uniq|head|tail|wc|xargs|less|jq)\b")
_TRACE = re.compile(
    r"\btraceback \(most recent call last\)|\bfile \"[^\"]+\.py\", line \d|"
    r"\b(?:type|value|key|index|attribute|name|syntax|import|runtime|zerodivision|"
    r"modulenotfound|assertion|recursion)error:|\bexception in thread\b|"
    r"\bat [a-z0-9_.$]+\([a-z0-9_]+\.(?:java|kt|js|ts):\d+\)"
)
_SQL_DDL = re.compile(
    r"(?:^|;)\s*truncate\s+(?:table\s+)?[a-z_]+|\b(?:alter|create)\s+table\b|\bdrop\s+database\b|"
    r"\bdelete\s+from\s+[a-z_]+\s+where\b|"
    r"^\s*select\s+[a-z_, *]+\s+from\s+[a-z_]+\s*(?:where\b|;|$)"
)
_JAMO_RUN = re.compile(r"[ㄱ-ㅎㅏ-ㅣ]{3,}")
# Bare jamo a customer does write: laughter, tears, "ㅇㅋ", "ㄱㅅ" (고마워), "ㄷㄷ".
_JAMO_WORDS = re.compile(r"^(?:[ㅋㅎㅠㅜㄷㄱㅇㄴ]+|ㅇㅋ|ㄱㅅ|ㅈㅅ)$")
_MIN_WORDS = 4


def _program_text(low: str) -> bool:
    """Is `low` a command line, a program's error or SQL that rewrites a table (round 21)?
    Commands and pipes only with no Hangul: a customer quoting a command in a question is
    rare, and its Korean words keep it for the gate."""
    if _TRACE.search(low) or _SQL_DDL.search(low):
        return True
    return bool(_SHELL_ARGS.match(low) or _PIPE.search(low)) and not HANGUL_LETTER.search(low)


def word_salad(text: str) -> bool:
    """Is `text` code, a keyboard mash, or article words strung together with no request?"""
    low = text.lower()
    if _CODE.search(low) or _SQL.search(low):
        return True
    if _SHELL.match(low) and not HANGUL_LETTER.search(low):
        return True
    if _program_text(low):
        return True
    if any(not _JAMO_WORDS.match(run) for run in _JAMO_RUN.findall(low)):
        return True
    words = _REQUEST_WORDS.findall(low)
    if len(words) < _MIN_WORDS:
        return False
    tokens = low.split()
    # A token is "other" when more than one letter is left once the request words are gone:
    # 가입가입 and 뭐 are not, 비회원으로 and 어떻게 are.
    other = [t for t in tokens if len(re.sub(r"[^가-힣a-z]", "", _REQUEST_WORDS.sub("", t))) > 1]
    repeated = len(words) > len(set(words)) or len(tokens) <= 2
    return repeated and len(other) <= len(tokens) // 4
