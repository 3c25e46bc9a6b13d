"""A message that only thanks, praises or closes gets no FAQ answer.

"덕분에 잘 받았어요 수고 많으셨습니다", "환불 처리 생각보다 빨라서 좋았어요", "물건 무사히
도착했어요 ^^", "아 괜찮아요 다른 건 없어요": the case is solved and nothing is asked, yet the
words (받았, 환불, 도착, 상담) are the articles' and the gate believes them. Stop phrases were
tried (docs/decisions.md, "FAQ round 16"): they silence praise only in the words listed and
silence a real question told after thanks ("덕분에 잘 받았는데 영수증은 어디서 뽑아요"). So the
whole message is read instead: it is silenced only when it carries thanks, praise, a report
that things went well or a closing, and once those are read no request is left — no question
mark, no question word (어디, 언제, 몇…), no request ending (…나요, …주세요, …싶어요, 궁금,
부탁…) and no report of a problem (안 와요, 없어요, 못, 깨져, 아직…), which is a request too.
"""

from __future__ import annotations

import re

# What a customer writes when nothing is left to ask: thanks, praise, apologies for the
# trouble, a report that it went well, an acknowledgement, "nothing else".
_SOCIAL = re.compile(
    r"감사|고마|고맙|고생|수고|덕분|덕택|땡큐|복\s?받|ㄱㅅ|죄송|미안|"
    r"친절|최고|만족|감동|훌륭|꼼꼼|세심|좋았|좋네|좋아요|좋습니다|좋더|"
    r"잘\s?(?:받|왔|와서|도착|됐|되었|돼서|처리|해결|읽|먹고|쓰고|쓸게|이용|들어왔|봤)|"
    r"무사히|멀쩡|깔끔|깨끗하게|"
    r"해결\s?(?:됐|되었|했|완)|이해\s?(?:됐|되었|했|가요|갑니다)|알겠|알았어|그렇군요|"
    r"찾았어|도착했어|도착했습|받았어요|받았습니다|확인했어요|확인했습니다|"
    r"(?:다른|더)\s?(?:건|것은|거는|질문은|문의는|볼\s?건|여쭤볼\s?건|물어볼\s?건)\s?없|"
    r"종료하셔도|\b(?:thanks?|thx|thank you|appreciate|got it|all good|solved|resolved)\b"
)
# "Nothing else to ask" is a closing, and "찌그러진 데 하나 없이" praise, not a problem: both
# are read (and dropped) before the problems are.
_NOTHING_ELSE = re.compile(
    r"(?:다른|더|궁금한|여쭤볼|물어볼)\s?(?:[가-힣]+\s)?(?:건|게|것은|거는|질문은|문의는)\s?없\S*|"
    r"\S+\s?(?:데|곳|거|것|부분)?\s?(?:하나|한\s?군데)?\s?없이"
)
# A request: a question, a question word, a request or wish ending, a report of a problem.
# 안 is read only as a spaced negation or glued to a verb's start (안와요, 안돼요): 안내, 안녕,
# 안에 are not. 없이 ("찌그러진 데 하나 없이") is not a missing thing.
_REQUEST = re.compile(
    r"\?|？|"
    r"어디|언제|어떻|어떡|어케|어찌|몇|얼마|왜|무슨|뭐|뭘|무엇|어느|누구|"
    r"나요|까요|[을할될줄볼갈올]까|가요\?|는지|은지|[을할될]지|냐(?![가-힣])|"
    r"주세요|주실|주시겠|주시면|줘|줄래|부탁|알려|싶|원해|원합|원하|가능|되나|문의|여쭤|여쭙|"
    r"(?<![가-힣])(?:근데|그런데|그렇지만|하지만|다만|그나저나|참고로|아\s?그리고)(?![가-힣])|"
    r"신청합|신청해요|신청할|신청하려|접수해\s?주|찌그러|빠져|상했|샜|새요|녹았|녹아|"
    r"좀|이요(?![가-힣])|(?:취소|환불|반품|교환|변경|조회|탈퇴|가입|재발송)\s?요(?![가-힣])|"
    r"물어|궁금|요청|하려면|하려는|려고요|려는데|방법|해야|돼야|되야|"
    r"(?<![가-힣])안\s|(?<![가-힣])안(?:와|왔|오|돼|되|됐|나|보|떠|뜨|들|열|맞|움직|넘어|가|갔|받)|"
    r"않|못|없(?!이)|아직|실패|오류|에러|문제|이상해|이상하|잘못|틀렸|틀린|파손|깨져|깨졌|"
    r"터져|터졌|찢어|찢겨|누락|빠졌|불량|멈춰|멈췄|늦어|늦었|늦네|까먹|잊어|잃어|"
    r"\b(?:how|where|when|what|why|which|who|can|could|would|please|need|want|help|not|"
    r"still|wrong|missing|broken|damaged|never|but|however|delete|remove|cancel|change|update|send|resend|"
    r"reset|close|nuke|wipe|erase|tell|show|let me|i'd like|i would like)\b|n't|"
    r"바람|바랍|요망"
)


def no_request_left(text: str) -> bool:
    """Does `text` thank, praise or close, with no request left once that is read?"""
    low = " ".join(text.lower().split())
    if not _SOCIAL.search(low):
        return False
    return not _REQUEST.search(_NOTHING_ELSE.sub(" ", low))
