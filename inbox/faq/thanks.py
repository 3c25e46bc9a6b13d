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

A message can also ask nothing without thanking (round 18): an opener before the question
("저 질문이 있는데요", "상담원님 계신가요??", "안녕하세요 문의 좀 드릴게요"), a bare "done"
("ㅇㅋ 해결됨", "아 됐어요 찾았어요", "Cool, sorted."), or an order or tracking number pasted
alone ("주문번호 2024061137188"). These are read token by token: every word must be one of a
short closed list of greetings, fillers, announcements and acknowledgements (`_FILLER`), or a
label of a pasted number, and any other word — a noun, a verb, a keyword ("상담원 좀요",
"재고 문의", "주문번호 2024061137188 취소") — leaves the message to the gate. The widget then
offers a person, which is what an opener or a bare number needs.
"""

from __future__ import annotations

import re

# "여기만 한 데가 없네요": praise (`_SOCIAL`), and nothing missing (`_NOTHING_ELSE` drops it).
_NONE_BETTER = r"만\s?한\s?(?:데|곳|집)(?:가|이|는|도)?\s?없"
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
    r"종료하셔도|해결\s?(?:됨|완료)|해결쓰|번창|대박\s?나세요|흥하세요|"
    # "It works now": 이제 됐습니다, 드디어 됐어요, 알려주신 대로 하니까 바로 되네요, 이제 보이네요.
    r"이제\s?(?:됐|되네|되었|보이네|보여요|왔|들어왔)|드디어|알려주신\s?대로|바로\s?되네|"
    r"칭찬|괜찮네요|괜찮더라|편하더라|편하네요|알고\s?있겠|\blove\b|문제\s?(?:없어요|없습니다|없네요)|"
    r"좋아하(?:세요|셔요|시네요|십니다|셨어요|시더라)|"
    # A wish for the agent's evening or a season's greeting (round 20): "편안한 저녁 되세요
    # 상담원님", "새해 복 많이 받으세요", "메리 크리스마스~".
    r"(?:좋은|편안한|편한|즐거운|행복한|따뜻한|기분\s?좋은|멋진)\s?"
    r"(?:밤|하루|주말|저녁|오후|시간|연휴|명절|한\s?주)\s?(?:되세요|보내세요)|"
    r"복\s?(?:많이\s?)?받으|메리\s?크리스마스|즐거운\s?성탄|"
    # A holiday wish with no adjective, and "rest well" (round 21): "추석 연휴 잘 보내세요",
    # "명절 잘 쇠세요", "한가위 풍성하게 보내세요", "직원분들도 푹 쉬시길", "새해 건강하세요".
    r"(?:연휴|명절|추석|한가위|설|설날|새해|연말|휴가|방학|주말)\s?"
    r"(?:잘|편히|[가-힣]{1,3}(?:하게|롭게|겁게))?\s?"
    r"(?:보내세요|보내시길|보내십시오|보내시고|쇠세요|쇠시길|쇠십시오|되세요|되시길)|"
    r"(?:푹|잘|편히)\s?쉬(?:세요|시길|십시오|셔요|시고)|건강하세요|건강하시길|"
    # Cheering, stars, a plan to try what was said, "that's all" (round 21): "별건 아니고
    # 응원합니다 화이팅", "별점 다섯 개 드리고 갑니다", "넹 말씀하신 대로 해볼게요~", "채팅창
    # 디자인 예쁘네요 그게 다예요", "따로 답 안 주셔도 돼요", "앞에 보낸 거 무시해 주세요",
    # "질문하려다가 까먹었네요 생각나면 다시 올게요".
    r"응원(?:합니다|해요|할게요|드려요|드립니다)|화이팅|파이팅|별점|말씀하신\s?대로|"
    r"예쁘네요|예뻐요|이쁘네요|그게\s?다(?:예요|에요|입니다)|"
    r"(?:답|답장|답변|대답|회신)\s?(?:은|는)?\s?(?:따로\s?)?안\s?(?:해\s?)?(?:주셔도|하셔도)|"
    r"무시해\s?(?:주세요|주셔도|줘요)|무시하(?:세요|셔도)|생각나면\s?다시|"
    r"(?:자랑|칭찬)\S*\s?(?:하고\s?)?싶어서|"
    # Praise without a thanks word (round 20): "새벽인데도 일하시는 거 대단하세요".
    r"대단하(?:세요|시네요|십니다|셔요|시다)|존경|"
    # Saying hello and having understood: "인사 남겨요", "인사드려요", "이해 완료".
    r"인사\s?(?:드려|드립|드리러|드리고|남겨|남깁|남기고|하러)|이해\s?완료|" + _NONE_BETTER + r"|"
    # Greetings that are the whole message: "좋은 아침이에요", "반가워요", "굿모닝입니다~",
    # "good evening!", "greetings from a rainy Daejeon afternoon", "you guys are awesome".
    r"좋은\s?아침|반가워|반갑습|굿모닝|굿밤|"
    r"\b(?:good (?:morning|afternoon|evening|night)|greetings|awesome|legend|you guys rock)\b|"
    r"\b(?:thanks?|thx|thank you|appreciate|much obliged|obliged|got it|all good|solved|resolved)\b"
)
# "Nothing else to ask" is a closing, and "찌그러진 데 하나 없이" praise, not a problem: both
# are read (and dropped) before the problems are.
_NOTHING_ELSE = re.compile(
    # Round 21: no reply needed, ignore what was sent, a question forgotten, only wanting to
    # boast or cheer ("따로 답 안 주셔도 돼요", "아기가 폰 만지다가 보낸 거예요 무시해 주세요",
    # "질문하려다가 까먹었네요", "그냥 자랑하고 싶어서 남겨요"): none of them asks.
    r"(?:답|답장|답변|대답|회신)\s?(?:은|는)?\s?(?:따로\s?)?안\s?(?:해\s?)?(?:주셔도|하셔도)\s?\S*|"
    r"무시해\s?(?:주세요|주셔도|줘요)\S*|무시하(?:세요|셔도)\S*|"
    r"(?:질문|문의|물어보|여쭤보)\S*(?:\s(?:게|거|건|뭐였는지|뭔지|있었는데|있었는데요|있었던))*"
    r"\s?까먹었\S*|생각나면\s?다시\s?\S+|"
    r"(?:자랑|칭찬|응원|인사|얘기)\S*\s?(?:하고\s?)?싶어서\S*|"
    r"응원(?:합니다|해요|할게요|드려요|드립니다)|"  # its 원합 is not "want"
    r"(?:다른|더|궁금한|여쭤볼|물어볼)\s?(?:[가-힣]+\s)?(?:건|게|것은|거는|질문은|문의는)\s?없\S*|"
    r"\S+\s?(?:데|곳|거|것|부분)?\s?(?:하나|한\s?군데)?\s?없이|"
    # "그냥 그 말 하고 싶었어요": a wish already told is the thanks itself, not a request.
    r"(?:그\s?)?(?:말|말씀|얘기|이야기|인사)\s?(?:을|를)?\s?(?:하고|드리고|전하고|남기고)\s?싶었\S*|"
    # "제가 잘못 봤네요 문제없어요": the customer's own mistake, and no problem left.
    r"(?:제가\s?)?잘못\s?(?:봤|본\s?거|읽었)\S*|문제\s?(?:없어요|없습니다|없네요|없어)|"
    r"알려\s?주신\s?(?:대로|덕분)|" + _NONE_BETTER + r"\S*|"
    # Thanks passed on to someone ("아까 그 상담원분께 고맙다고 전해주세요") asks for nothing
    # the FAQ answers; nor does "appreciate the quick help" ("help" is a request word).
    r"(?:고맙|감사하|감사드린|수고\s?하셨|수고\s?많으셨)\S*\s?(?:다고|단)\s?(?:꼭\s?|좀\s?)?"
    r"(?:전해|말씀\s?(?:전해|해|드려))\S*(?:\s?(?:주세요|주시겠어요|주실래요|줘요|드려요))?|"
    r"\b(?:thanks|thank you|appreciate)\s+(?:\w+\s+){0,3}?(?:help|support|answer|reply)\b"
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
    r"않|못|없(?!이)|아직|실패|오류|에러|문제|이상해|이상하|잘못|틀렸|틀린|파손|깨져|깨졌|만료|"
    r"터져|터졌|찢어|찢겨|누락|빠졌|불량|멈춰|멈췄|늦어|늦었|늦네|까먹|잊어|잃어|"
    r"\b(?:how|where|when|what|why|which|who|can|could|would|please|need|want|help|not|"
    r"still|wrong|missing|broken|damaged|never|but|however|delete|remove|cancel|change|update|send|resend|"
    r"reset|close|nuke|wipe|erase|tell|show|let me|i'd like|i would like)\b|n't|"
    r"바람|바랍|요망"
)


def asks(low: str) -> bool:
    """Does the (lower-cased) message ask or report a problem (`_REQUEST`)? inbox.faq.services
    reads a courier's status told with nothing asked by it (round 22)."""
    return bool(_REQUEST.search(low))


# Words that ask nothing by themselves: greetings, fillers, a call for someone, the announcement
# of a question to come, an acknowledgement or a "done". Each is matched as a whole token (its
# punctuation and emoji dropped), so a noun or a verb of a real request is never one of them.
_FILLER = re.compile(
    r"안녕하세요|안녕하십니까|안녕|하이|헬로|여보세요|저기요|저기|실례합니다|실례지만|똑똑|"
    r"저|제가|아+|어|음+|흠|혹시|잠깐|잠깐만|잠깐만요|잠시만|잠시만요|뭐|좀|그|그냥|"
    r"네|넵|넹|예|ㅇㅇ|ㅇㅋ|오케이|오키|그럼|하나|하나만|한|두|가지|가지만|몇|"
    r"상담원님?|상담사님?|직원분?|담당자님?|누구|아무도|사람|"
    r"죄송합니다|죄송해요|"
    r"계세요|계신가요|계십니까|계실까요|계시나요|있나요|있어요|있으세요|"
    r"질문|질문이|질문을|질문이요|문의|문의가|문의를|궁금한|궁금한게|궁금한거|궁금한\s?게|게|거|"
    r"물어볼|물어볼게|물어볼게요|물어봐도|여쭤볼|여쭤볼게|여쭤볼게요|여쭤봐도|여쭐게|여쭐게요|"
    r"물어보려고|여쭤보려고|물어보려구|"
    r"(?:질문|문의)?(?:드려요|드립니다|드릴게요|드릴께요|드려도|드릴|드리려고|드리려구|할게요|할께요|해도)|"
    r"문의할|질문할|물어볼|여쭤볼|"
    r"있는데|있는데요|있습니다|있어서|있어서요|생겨서|생겨서요|생겼어요|"
    r"처음|또|왔어요|왔습니다|들어와|들어와서|들어왔는데|봤어요|봤습니다|"
    # Coming back and leaving, and "anyone there" (round 20): "오랜만이에요 또 왔어요", "거기
    # 사람 있어요?", "그럼 이제 가볼게요 안녕히 계세요".
    r"오랜만이에요|오랜만입니다|오랜만이네요|오랜만|거기|거기요|안녕히|가볼게요|가볼께요|갈게요|이제|계신|"
    r"될까요|돼요|되나요|되죠|했는데|하려고|하려고요|들어왔어요|"
    r"까먹었네|까먹었네요|까먹었어요|까먹었다|잊어버렸네|"
    r"부탁드립니다|부탁드려요|부탁해요|잘|"
    # Greeting the agent, and a question forgotten mid-sentence (after round 22's run: "수고
    # 많으십니다 하나 여쭤보려고 들어왔어요", "아 뭐 물어보려고 했더라 까먹었네요 ㅎㅎ").
    r"수고|수고하십니다|수고하세요|수고많으십니다|고생하십니다|고생하세요|많으십니다|많으세요|"
    r"했더라|했더라요|뭐였더라|뭐더라|뭘|"
    r"문의사항|문의사항이|문의할게|문의할게요|연락드렸습니다|연락드렸어요|연락드려요|"
    r"말씀|말씀드릴|말씀드릴게요|여쭙겠습니다|여쭙니다|굿모닝|"
    r"[\d-]{1,8}|test|testing|yo|got|for|you|"
    r"됐어요|됐어|됐습니다|됐네요|됨|해결|해결됨|해결됐어요|해결됐습니다|완료|"
    # Taking the question back (round 23): "아 아니다 됐어요 ㅎㅎ", "아니에요 괜찮아요".
    r"아니다|아니에요|아니예요|아닙니다|아냐|아니야|괜찮아요|괜찮습니다|"
    r"찾았어요|찾았어|찾았습니다|찾았네요|알겠어요|알겠습니다|알겠음|"
    r"hi|hello|hey|anyone|there|is|i|have|a|quick|question|questions|can|ask|something|"
    r"excuse|me|ok|okay|cool|sorted|cheers|nvm|never|mind|done|"
    r"ㅋ+|ㅎ+|ㅠ+|ㅜ+|ㄷㄷ"
)
# Words about the chat itself, with nothing asked of the shop: waiting for an answer ("계속
# 대기중이에요", "답변 언제쯤 주시나요 30분째 대기 중", "답장 기다리는 중…", "아직이에요?"),
# checking the line works ("이거 지금 메시지 가는 거 맞나", "test message pls ignore", "yo is
# this thing on"), arriving or leaving ("처음 와봤어요", "내일 다시 들어올게요"). Read as
# `_FILLER` is, token by token: any word of an order ("주문이 계속 대기중이에요", "배송
# 아직이에요?") keeps the message for the gate.
_CHAT = re.compile(
    r"답변|답장|응답|대답|답|채팅|채팅방|상담방|메시지|메세지|톡|"
    r"기다리는|기다리고|기다리는중|기다리는데|기다릴게요|기다려요|기다리고있어요|기다리고\s?있어요|"
    r"대기|대기중|대기중이에요|대기중이요|대기하고|대기하고\s?있어요|"
    r"중|중이에요|중이신가요|중인가요|중이세요|중입니다|중이요|확인|확인중|"
    r"아직|아직이에요|아직인가요|아직이요|아직도|계속|언제|언제쯤|주시나요|주세요|주실|주시면|"
    r"\d+분째|\d+시간째|분째|시간째|천천히|보시고|내일|다시|이따|나중에|들어올게요|올게요|"
    r"와봤어요|와봤습니다|와봤네요|와\s?봤어요|이거|지금|여기|가는|가요|맞나|맞나요|맞나여|맞죠|맞아요|"
    r"받으시는|받으세요|분|보이세요|보이나요|들리세요|"
    r"this|thing|on|test|message|msg|pls|please|ignore|working|works|just|checking|if|"
    # Testing the line (round 20): "메시지 보내지는지 한번 찍어봅니다", "just testing this chat
    # box, ignore", "채팅창 처음 써봐요 그냥 눌러봤어요", "다음에 또 올게요".
    r"채팅창|위젯|화면|보고|보내지는지|가는지|되는지|한번|시험|시험삼아|삼아|테스트|"
    r"찍어봅니다|찍어봐요|보내봅니다|보내봐요|눌러봤어요|눌러봐요|써봐요|써봅니다|다음에|"
    # "아 이거 어디다 물어봐야 되는지 몰라서 여기 씁니다": where to ask, not what.
    r"어디다|어디에|물어봐야|여쭤봐야|몰라서|씁니다|써요|남겨요|남깁니다|"
    r"chat|box|widget|the|"
    # Is the chat itself on? (after round 20's run: "채팅 열려 있는 거 맞죠? 답이 없어서요",
    # "지금 이 채팅 켜져 있는 거 맞나요?", "저기요~ 방금 들어왔어요ㅎㅎ"; two writers).
    r"이|열려|켜져|열려있는|켜져있는|있는|되는|건|답이|답을|없어서요|없네요|방금|"
    # Finding out where one is (round 21): "어? 이게 상담창이구나", "아 여기가 상담하는
    # 데구나", "오 채팅창이네요". A question about the chat ("이거 챗봇이에요?") has no such
    # ending and goes on to the gate.
    r"오|와|우와|헐|이게|여기가|여기구나|여기네|여기네요|상담하는|채팅하는|문의하는|물어보는|"
    r"눌러보는|눌러보는중|눌러봅니다|눌러보는\s?중|하이룽|하잉|하이요|ㅎㅇ|"
    # Round 24 (faq35): a chatty hello, a first meeting, a return after long, a visit tried
    # ("하이루~ 오랜만에 들어와 봐요", "처음 뵙겠습니다 ^^", "간만에 와 봤어요"; the 보다 of a
    # try is joined to its verb first, `_TRIED`), and a connection checked as a question to
    # oneself ("연결된 건가?", as 연결된 상태 맞죠 was). None names a thing or asks for a person.
    r"하이루|하이룽요|하이염|하이여|안뇽|안뇽하세요|안녕하세여|방가|방가방가|방가워요|방가워여|"
    r"뵙겠습니다|뵙겠어요|뵙네요|뵙습니다|봬요|뵈어요|뵈요|"
    r"오랜만에|오랫만에|오랫만|오랫만이에요|간만에|간만|"
    r"(?:들어|놀러|구경)?와(?:봐요|봤어요|봤습니다|봤네요|봅니다|봐여|봤어여|보네요)|"
    r"건가|건가요|건가여|건지|"
    r"(?:상담창|채팅창|상담방|채팅방|채팅|상담|챗봇|창|데|곳)"
    r"(?:이구나|구나|이네|이네요|이군요|군요|이었구나|였구나|이었네|였네)|"
    # Checking the chat itself (round 22): is someone on it now ("혹시 지금 상담 되나요", as
    # "거기 사람 있어요?" and "상담원 있나요" were), does typing or sending work ("글자 잘
    # 써지나 확인", "채팅창 제대로 열리는지 확인용입니다"). A time or a channel asked about
    # ("새벽인데 지금 상담 돼?", "카톡 상담 되나요") is no such word and stays a question.
    r"상담|글자|글씨|써지나|써지나요|써지는지|써지네|써지네요|쳐지나|쳐지나요|쳐지는지|"
    r"입력되나|입력되나요|입력되는지|전송되나|전송되나요|전송되는지|보내지나|보내지나요|"
    r"제대로|열리는지|열리나|열리나요|확인용|확인용입니다|확인용이에요|확인용이요|확인차|확인차요|"
    # Is the line up, is what I write seen or heard (round 23): "지금 상담원님이랑 연결된 상태
    # 맞죠?", "연결 중인가요?" (read with its 중 joined, `_ON_LINE`), "제 글 보이시나요", "제 말
    # 들려요?". Being connected is checked (연결된, 연결중, 연결됐나요); a bare 연결 and 연결돼 ask
    # for a person ("상담원 연결 부탁드려요", "상담원 연결돼요?") and stay questions, as does
    # anything not seen ("버튼이 안 보여요": 안 is no word here).
    r"연결(?:된|됐|되어|중)[가-힣]*|상태|상태죠|상태인가요|상태예요|상태에요|"
    r"(?:상담원|상담사|직원|담당자)(?:님|분)?(?:이랑|랑|과|하고|께서|이)|"
    r"제|제글|글|말|내|보이시나요|보이시죠|보이시는지|보이시나|보이죠|보여요|보이나|보이는지|"
    r"들려요|들리시나요|들리시죠|들리나|들리나요|들리죠|들리는지|들리시는지|"
    # Arriving on someone's word (round 23): "지인 추천받고 처음 들어와 봤어요~", "친구 소개로
    # 와 봤어요". What the word was about ("추천인 코드 어디 넣어요") is no such word.
    r"지인|친구|언니|동생|엄마|아빠|동료|지인이|친구가|지인분|지인분이|"
    r"(?:추천|소개)(?:받고|받아서|받았어요|받았는데|받아|으로|로|해줘서|해주셔서|해서)"
)
# "연결 중인가요": the progressive joined onto 연결 before the tokens are read.
_ON_LINE = re.compile(r"(?<=연결)\s+(?=중)")
# "들어와 봐요", "와 봤어요": the 보다 of a visit tried joined onto 와 (round 24), one token.
_TRIED = re.compile(r"(?<=와)\s+(?=봐|봤|봅|보네)")
# An apology for the hour or for the bother (round 24): "늦은 시간에 실례합니다", "이른 아침부터
# 죄송해요", "바쁘신데 실례합니다". The time is dropped only before the apology: a time alone
# ("늦은 시간에 전화 돼요?", "새벽에 상담 되나요") asks the hours and stays a question.
_HOUR_COURTESY = re.compile(
    r"(?:(?:늦은|이른)\s?(?:시간|밤|아침|새벽|시각|저녁)(?:에|인데|부터)?|밤\s?늦게|늦게|"
    r"(?:이른\s?)?아침부터|새벽부터|주말에|주말인데|휴일에|휴일인데|"
    r"바쁘신\s?(?:데|와중에|시간에|중에|때)|바쁘실\s?텐데|바쁘신데)\s+(?=실례|죄송|미안)"
)
# A pasted order or tracking number with its label ("주문번호 2024061137188", "20240611-0038821").
# An order code may carry letters too ("Y7K2-99QX"): six or more letters, digits or dashes,
# two of them digits.
_NUMBER = re.compile(r"#?\d[\d-]{4,}\d|(?=(?:[a-z-]*\d){2})[a-z0-9][a-z0-9-]{5,}")
_NUMBER_LABEL = re.compile(
    r"주문번호|송장번호|운송장번호|운송장|송장|주문|번호|제|내|입니다|이에요|예요|요|"
    r"order|tracking|no|number|my"
)


# A message sent by mistake (round 21): "잘못 눌렀어요 죄송합니다", "앗 실수로 보냈네요 무시해
# 주세요", "창 잘못 열었어요", "메시지 잘못 쳤어요 죄송". The slip is read as a phrase, the
# pressing, opening or sending verb right after 잘못/실수로, since 잘못 alone is a problem
# ("잘못 왔어요": a wrong item came).
# What is left must be an apology, a filler or a word about the chat: "결제 잘못 눌렀어요
# 죄송합니다" names a payment and stays with the gate.
_SLIP = re.compile(
    r"(?:잘못|실수로|모르고)\s?(?:눌렀|눌러|누른|클릭|터치|보냈|보내|쳤|입력했|들어왔|들어와|열었|열어)\S*"
)
_SORRY = re.compile(
    r"죄송합니다|죄송해요|죄송|죄송요|미안해요|미안합니다|미안|쏘리|앗|헉|아이고|이런|"
    r"무시해|무시해주세요|무시하세요|무시|메시지를|메세지를|창을|창"
)


# Laughter or a sob typed onto a word ("들어왔어요ㅎㅎ") is not a word of its own.
_LAUGHTER_TAIL = re.compile(r"(?<=[가-힣])[ㅋㅎㅠㅜ]+$")


def _without_laughter(tokens: list[str]) -> list[str]:
    return [_LAUGHTER_TAIL.sub("", t) for t in tokens]


def _sent_by_mistake(low: str) -> bool:
    """Is the message only a slip (`_SLIP`) with an apology, filler or chat words around it?"""
    if not _SLIP.search(low):
        return False
    tokens = re.sub(r"[^\w]+", " ", _SLIP.sub(" ", low)).split()
    tokens = _without_laughter(tokens)
    return all(_SORRY.fullmatch(t) or _FILLER.fullmatch(t) or _CHAT.fullmatch(t) for t in tokens)


# Going to look something up and come back (round 23): "주문 메일 어디 있더라 찾아보고 다시
# 말씀드릴게요", "주문번호 확인해 보고 다시 연락드릴게요". The customer leaves to look; what
# they name is what they look for, not a request. A recollection said aloud (…더라: "어디
# 있더라", "뭐였더라") asks no one. Anything else that asks (`_REQUEST`: "배송지 바꾸고 싶은데
# 주소 확인해 보고 다시 연락드릴게요") keeps the message for the gate.
_LATER = re.compile(
    r"(?:찾아|확인해|확인|알아|살펴|생각해|정리해|정리)\s?(?:좀\s?)?(?:보고|본\s?다음에?|보고서|하고)\s?"
    r"(?:다시|또|나중에|이따가?|곧)?\s?"
    r"(?:말씀\s?드릴|연락\s?드릴|문의\s?드릴|여쭤\s?볼|물어\s?볼|올|들어올|글\s?남길)"
    r"(?:게요|께요|겠습니다|게|께)"
)
_RECOLLECTION = re.compile(
    r"(?:(?:어디|뭐|언제|몇|어떻게|무슨|어느|누구)\S*\s)?(?:\S+\s)?\S*더라(?![가-힣])"
)


def _defers(low: str) -> bool:
    """Does the customer only leave to look something up and come back (`_LATER`)?"""
    if not _LATER.search(low):
        return False
    rest = _RECOLLECTION.sub(" ", _LATER.sub(" ", low))
    return not _REQUEST.search(rest)


def _nothing_asked(low: str) -> bool:
    """Is the message only greetings, fillers and acknowledgements (`_FILLER`), or a number
    pasted with at most its label?"""
    low = _TRIED.sub("", _HOUR_COURTESY.sub("", _ON_LINE.sub("", low)))
    # A number pasted in groups ("6082 1345 7781") is one number.
    low = re.sub(r"(?<=\d)[\s-]+(?=\d)", "-", low)
    tokens = re.sub(r"[^\w#-]+", " ", low).replace("_", " ").split()
    tokens = _without_laughter(tokens)
    if not tokens:
        return False
    if any(_NUMBER.fullmatch(t) for t in tokens):
        return all(_NUMBER.fullmatch(t) or _NUMBER_LABEL.fullmatch(t) for t in tokens)
    # Only filler, or filler and words about the chat itself (`_CHAT`).
    return all(_FILLER.fullmatch(t) or _CHAT.fullmatch(t) for t in tokens)


def no_request_left(text: str) -> bool:
    """Does `text` thank, praise or close, with no request left once that is read, or ask
    nothing at all (an opener, a bare "done", a number pasted alone)?"""
    low = " ".join(text.lower().split())
    if _nothing_asked(low) or _sent_by_mistake(low) or _defers(low):
        return True
    if not _SOCIAL.search(low):
        return False
    return not _REQUEST.search(_NOTHING_ELSE.sub(" ", low))


# The agent greeted by name before the question (round 23): "안녕하세요 상담원님, 주문한
# 오메가3 언제 발송되는지 알 수 있을까요?". The vocative, closed by its comma or mark, asks
# for no person; read as a word of the question it drew the ranking to the contact article.
# Without the mark only after a greeting, and not before what asks for the person: "상담원님
# 연결해 주세요", "안녕하세요 상담원님 계세요?", "상담원분 계세요? 새벽에도 돼요?" ask for one.
_GREETING = r"(?:안녕하세요|안녕하십니까|수고하십니다|수고\s?많으십니다|저기요|실례합니다)"
_AGENT = r"(?:상담원|상담사|직원|담당자|매니저)\s?(?:님|분)"
_VOCATIVE = re.compile(
    r"^\s*(?:" + _GREETING + r"\s*[,~!.]*\s*)?" + _AGENT + r"\s*[,~!.]+\s*"
    r"|^\s*" + _GREETING + r"\s*[,~!.]*\s*" + _AGENT + r"\s+"
    r"(?!연결|통화|전화|상담|계|있|바꿔|얘기|좀|호출|부탁|찾|불러)"
)


def without_vocative(text: str) -> str:
    """`text` without the agent greeted at its start (`_VOCATIVE`), unless nothing follows."""
    rest = _VOCATIVE.sub("", text, count=1)
    return rest if rest.strip() else text
