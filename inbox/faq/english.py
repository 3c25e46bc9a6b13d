"""An English message that only praises, thanks, takes its question back or closes gets no answer.

"Just wanted to say the fish oil tastes better than my old brand, no question", "sorry wrong
chat", "oh it's here now, sorry for the bother!", "Never mind, my wife sorted it out. Have a
good one", or three sentences of praise from a customer of many years: nothing is asked, yet
the words (box, delivered, password, agent) are the articles' and the gate believes them.
inbox.faq.thanks reads such messages in Korean, with a few English words; English says the
same things in its own phrases ("never mind", "wrong window", "keep it up"), and its request
words differ ("never" and "wrong" are requests in "never arrived", "wrong size" but not in
"never mind", "wrong window").

So, as in thanks.py, the whole message is read: it is silenced only when it carries one of the
closings below (`_CLOSING`) and, once those phrases are read, no request is left (`_REQUEST`):
no question mark, no question or request word, no report of a problem. A message with Hangul
is thanks.py's.
"""

from __future__ import annotations

import re

from inbox.faq.text import HANGUL_LETTER

# What a customer writes when nothing is left to ask, each read as a phrase and dropped before
# the request words are looked for:
# - taking the question back: "never mind", "nvm", "ignore that", "wrong window/chat/tab",
#   "sent that by mistake", "my bad", "false alarm";
# - the trouble solved on its own: "it's there now", "just showed up", "sorted it out",
#   "figured it out", "found it", "works now";
# - apologies and wishes: "sorry for the bother", "have a nice day", "take care";
# - praise with nothing asked: "just wanted to say", "no question", "keep it up", "the best",
#   "love", "happy", "way better than", "great service, will order again", "five stars";
# - an answer understood: "got it", "that helps", "makes sense", "all set", "no worries";
# - thanks: "thank you", "thx", "appreciate it", "much obliged".
_CLOSING = re.compile(
    r"\b(?:never\s?mind|nvm|nevermind|ignore\s(?:that|this|me|it|my\s(?:last\s)?(?:message|msg|question))|"
    r"disregard(?:\s(?:that|this|my\s(?:last\s)?(?:message|msg|question)))?|"
    r"wrong\s(?:window|chat|chatbox|tab|person|thread|conversation|box|screen|app|site|page)|"
    r"(?:sent|typed|posted|pasted)\s(?:that|this|it)?\s?(?:here\s)?by\s(?:mistake|accident)|"
    r"my\sbad|my\smistake|false\salarm|"
    r"(?:it'?s|it\sis|they'?re|they\sare|its)\s(?:there|here|in)\snow|"
    r"(?:just\s)?(?:showed|turned)\sup|(?:sorted|figured|worked)\s(?:it\s|that\s)?out|"
    r"found\s(?:it|them|that|the\s(?:\w+\s){0,2}?(?:link|email|mail|number|page|button|option|setting|code|tab))|"
    r"(?:all\s)?sorted(?:\snow)?|(?:works|working)\snow|all\sgood(?:\snow)?|"
    r"sorry\sfor\s(?:the|all\sthe|any)\s(?:bother|trouble|confusion|hassle|noise|spam|fuss)|"
    r"sorry\sto\sbother(?:\syou)?|"
    r"have\sa\s(?:nice|good|great|lovely|wonderful)\s(?:day|one|evening|weekend|night|week)|"
    r"take\scare|bye|goodbye|cheers|"
    r"just\swanted\sto\s(?:say|tell\syou|let\syou\sknow|share)|no\squestions?(?:\shere)?|"
    r"that'?s\sall|nothing\selse|keep\s(?:it|up\sthe\sgood\swork)\sup|keep\sit\sup|"
    r"well\sdone|good\sjob|great\sjob|the\sbest|love|loved|loving|lovely|awesome|amazing|"
    r"fantastic|excellent|brilliant|wonderful|impressed|happy|delighted|grateful|"
    r"(?:way|much|so\smuch|a\slot)\sbetter\sthan|perfect|(?:super|so|very|really)\shelpful|"
    r"great\s(?:service|products?|stuff|quality|shop|store)|(?:five|5)\sstars|highly\srecommend|"
    r"(?:will|i'?ll|we'?ll)\s(?:definitely\s|surely\s)?(?:order|buy|shop)(?:\sfrom\syou)?\sagain|"
    r"(?:will|i'?ll|we'?ll)\s(?:definitely\s)?be\sback|"
    r"no\sworries|all\sset|that\s(?:helps|helped|clears\sit\sup)|makes\ssense|got\sit|"
    r"thanks?|thank\syou|thx|ty|appreciated?|appreciate\sit|much\sobliged)\b"
)
# Praise that reads like a question word: "love how fast it came", and "when" telling a story
# in the past ("when I had a problem once your agent fixed it"), not asking a time; a problem
# had in that story is over ("when I had an issue last spring your team sorted it out").
_NOT_ASKED = re.compile(
    r"\bhow\s(?:fast|quick|quickly|easy|nice|good|well|great|lovely|smooth|friendly|helpful|"
    r"patient|kind|nicely|carefully)\b|"
    r"\b(?:when|once|the\sone\stime)\s(?:i|we)\shad\s(?:a|an|one|some)\s(?:\w+\s)?"
    r"(?:problem|issue|question)s?\b|"
    r"\bwhen(?=\s(?:i|we|he|she|they|my\s\w+|our\s\w+)\s(?:\w+\s)?"
    r"(?:had|was|were|did|got|came|went|called|asked|wrote|\w+ed)\b)"
)
# A request: a question, a question or request word, a report of a problem ("never arrived",
# "wrong size", "the lid was cracked", "charged twice").
_REQUEST = re.compile(
    r"\?|n't\b|\b(?:how|where|when|what|why|which|who|whom|whose|can|could|would|will|should|"
    r"shall|may|is\sthere|are\sthere|do\syou|does|did\syou|please|pls|plz|need|needs|want|"
    r"wanna|help|not|no\slonger|still|yet|wrong|missing|broken|damaged|cracked|leaking|leaked|"
    r"open|opened|late|lost|stuck|expired|empty|short|instead|only|charged|twice|double|"
    r"never|but|however|although|though|cancel|change|update|send|resend|reset|delete|remove|"
    r"refund|return|exchange|track|tracking|tell|show|let\sme|i'?d\slike|i\swould\slike|"
    r"issue|error|wonder|wondering|if|"
    # Imperatives: "Nuke my profile, thanks", "close my account", "check my order".
    r"nuke|wipe|erase|close|deactivate|unsubscribe|stop|fix|check|confirm|switch|swap|hold|"
    r"pause|redeliver|give|get|find|look|add|make)\b"
)


# A question about the chat itself and nothing else (round 22, faq28): "is this chat actually
# live or a bot", "am I talking to a real person?", "are you a bot lol". As "yo is this thing on"
# (inbox.faq.thanks), it asks nothing of the shop; the widget's offer of a person answers it.
# Read as a yes/no question whose subject is the chat ("is this/are you/is it", "am I talking
# to"), so a request for a person is not one: "real person pls", "is there a real human I can
# talk to, or just this bot?", "can I talk to a real person", and a second question ("are you
# guys actually open at 3am or is this chat a bot till morning?") leaves words behind.
_WHAT_CHAT_IS = (
    r"(?:a\s|an\s|just\s(?:a\s)?)?(?:actual\s|real\s)?"
    r"(?:bot|robot|chatbot|ai|machine|human|person|live|real|automated|not)"
)
_CHAT_CHECK = re.compile(
    r"\b(?:(?:is|are)\s(?:this|you|it)(?:\s(?:chat|thing|chatbox|chat\sbox|line))?"
    r"|am\si\s(?:talking|chatting|speaking|writing)\s(?:to|with))"
    r"\s(?:actually\s|really\s|even\s|still\s)?" + _WHAT_CHAT_IS + r"(?:\s(?:person|agent|human))?"
    r"(?:\s?,?\s(?:or|or\sis\s(?:it|this|that))\s"
    + _WHAT_CHAT_IS
    + r"(?:\s(?:person|agent|human))?)?\b"
)
# Greetings and fillers around it: "hi, is this a bot?", "lol are you a real person".
_CHAT_FILLER = re.compile(
    r"\b(?:hi|hello|hey|yo|lol|haha|just\scurious|quick\squestion|so|um|uh|ok|okay|wait|sorry)\b"
)


# Round 23 (faq30): whether the message is read at all is a question about the chat too: "Is
# there an actual human reading this?", "can you see my messages?", "is anyone actually reading
# these", "are my messages getting through?", "can u hear me". Read as a whole message, as
# `_CHAT_CHECK`: someone reading or seeing this chat, not talking in it, so "is there a real
# human I can talk to" and "can I talk to a person" stay requests for a person (contact-channels),
# and "can you see my order?" (an order, not the messages) stays a question about the order.
_WHO_READS = (
    r"(?:an?\s)?(?:actual\s|real\s|live\s)?"
    r"(?:human|person|people|anyone|anybody|someone|somebody|one|agent|staff)"
    r"(?:\s(?:at\s)?(?:all|there|here|else|being))?"
)
_MESSAGES = r"(?:this|these|that|it|me|my\s(?:messages?|msgs?|texts?|chats?|words|questions?))"
_CHAT_READ = re.compile(
    r"\b(?:(?:is|are)\s(?:there\s)?" + _WHO_READS + r"|(?:does|do|will|did)\s" + _WHO_READS + r")"
    r"\s(?:actually\s|even\s|really\s|still\s)?"
    r"(?:reading|read|seeing|see|getting|get|receiving|receive|checking|check|watching)\s"
    + _MESSAGES
    + r"(?:\s(?:chat|at\sall|right\snow|now))?\b|"
    r"\b(?:can|could|do|did)\s(?:you|u|anyone|anybody|someone|somebody|you\sguys)\s"
    r"(?:even\s|actually\s|really\s|still\s)?(?:see|read|hear|get|receive)\s"
    + _MESSAGES
    + r"(?:\s(?:at\sall|right\snow|now|ok|okay))?\b|"
    r"\b(?:are|did|is)\s(?:my\s(?:messages?|msgs?|texts?|chats?)|this|it)\s"
    r"(?:even\s|actually\s)?(?:getting|going|coming|get|go|come|went)\sthrough\b"
)


def _chat_check(low: str) -> bool:
    """Is the (lower-cased, English) message only a question about the chat itself
    (`_CHAT_CHECK`, or whether it is read: `_CHAT_READ`), with greetings or fillers around it?"""
    if not (_CHAT_CHECK.search(low) or _CHAT_READ.search(low)):
        return False
    rest = _CHAT_FILLER.sub(" ", _CHAT_READ.sub(" ", _CHAT_CHECK.sub(" ", low)))
    return not re.search(r"[a-z0-9]", rest)


def english_closing(text: str) -> bool:
    """Does an English `text` only praise, thank, take its question back or close (`_CLOSING`),
    with no request left once that is read, or only ask whether the chat is a person or a bot
    (`_chat_check`)?"""
    low = " ".join(text.lower().replace("’", "'").split())
    if HANGUL_LETTER.search(low):
        return False
    if _chat_check(low):
        return True
    if not _CLOSING.search(low):
        return False
    rest = _NOT_ASKED.sub(" ", _CLOSING.sub(" ", low))
    return not _REQUEST.search(rest)
