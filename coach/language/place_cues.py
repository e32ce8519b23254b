"""The words around a place that say what it is to the family: home ("we live in", "a Texas
kid"), a wish ("want to stay in", "open to"), a place avoided ("get out of", "visited"), or no
place at all ("anywhere"). Patterns only; `place_mentions` reads them around each place."""

import re

# Words that say where the student lives; a place up to four words after one of them (a city,
# "a small town in", "the suburbs of") is home, unless a wish or a verb comes between.
HOME_WORDS = re.compile(
    r"\b(?:live|lives|living|lived|reside|resides|residing|based|located|grew up|raised|born|"
    r"moved (?:to|here|back)|homeschooled|home ?schooled|we're|we are|i'm|im|i am|from|hail from|here|resident|"
    r"residents|residence|stationed|native|home|(?:junior|senior|sophomore|freshman|student|kid|applicant|daughter|"
    r"son|teen|homeschooler|parent)s?|high school|hs|(?:my|our|his|her|their|a|an) "
    r"(?:\w+ ){0,3}school|town|city|suburbs?|burbs|village|county|farm|ranch|area|part|"
    r"outskirts)\b"
)
# Said of a past home: used only when no other home is named ("grew up in Michigan but we moved
# to Charlotte").
PAST_HOME_WORDS = re.compile(r"\b(?:grew up|raised|born|originally|used to live|lived)\b")
HOME_BEFORE = re.compile(
    r"\bin[- ]state\s+(?:\w+\s+){0,2}(?:in|for)\s+$"
    r"|\b(?:rural|upstate|downstate|suburban|small[- ]town|inner[- ]city|suburbs of|outside(?: of)?|"
    r"near|metro|greater|coastal|inland|central|northern|southern|eastern|western|north|south|"
    r"east|west|northeast|northwest|southeast|southwest|northeastern|northwestern|southeastern|"
    r"southwestern)\s+$"
)
HOME_AFTER = re.compile(
    r"^(?:\s+|-)(?:kid|student|resident|native|girl|boy|senior|junior|applicant|suburbs?|"
    r"high school|hs|public school|private school|area|born|side|family|here|seacoast|coast|"
    r"shore|panhandle|hill country|countryside|burbs|region|county|metro)\b"
    r"|^\s+\(?(?:in-state|resident)\b"
)
WISH_WORD = re.compile(
    r"\b(?:want|wants|wanna|like|love|prefer|study|studying|go|going|attend|attending|apply|"
    r"applying|consider|considering|stay|staying|schools|colleges|universities|looking|hoping|"
    r"thinking|interested|open|leave|leaving|but|and|or|not|than)\b"
)
# "Don't want to leave Georgia", "can't leave Texas": a wish to stay (and a home, less surely).
_NOT_LEAVING = (
    r"\b(?:(?:don't|dont|do not|doesn't|doesnt|never|not) (?:want to|wanna|going to|gonna)|"
    r"can't|cant|cannot|can not|won't|wont) leave\s+$"
)
WISH_BEFORE = re.compile(
    r"\b(?:(?:stay|remain|study|attend|consider|look|apply|prefer|like|love|move|go|head|think|"
    r"want|hope|lean|focus|target|aim|dream|say)(?:s|es|ed|ing)?|said|staying|studies|"
    r"(?<!high )schools?(?! year)|colleges?|university|"
    r"universities|programs?|campus(?:es)?|open to|preferably|somewhere|anywhere|within|"
    r"interested|only|mostly|mainly|either|ideally|hopefully)\b[^.;!?\n]{0,40}$|" + _NOT_LEAVING
)
# "Get out of New England", "leave Texas": a place to avoid is no wish.
NOT_WISH_BEFORE = re.compile(
    r"\b(?:get out of|out of|leave|leaving|away from|escape|not in|anywhere but|other than|"
    r"besides|done with|except|scratch|drop|remove|forget|skip|no longer|not|nothing in)\s+"
    r"(?:the\s+)?$"
    # A place visited is no wish either: "we visited family in Florida".
    r"|\b(?:visited|visiting|vacation(?:ed)? in|trip to)\b[^.;,]{0,25}$"
)
# Of the places to avoid, those one leaves ("get out of Ohio") rather than drops from a list.
LEAVING_BEFORE = re.compile(
    r"\b(?:get out of|out of|leave|leaving|escape|away from)\s+(?:the\s+)?$"
)
STAY_NOT_LEAVE = re.compile(_NOT_LEAVING)
# Words that carry a wish across a comma: "stay near home, so Connecticut or New York".
CLAUSE_CONTINUES = re.compile(
    r"^\s*(?:so|like|such as|e\.?g\.?|including|especially|i\.?e\.?|namely|or|and|but|meaning|"
    r"specifically|particularly|mainly|mostly|ideally|preferably)\b"
)
# "Stay in Ohio" says where the family lives too, though less surely than "we live in Ohio".
STAY_BEFORE = re.compile(
    r"\b(?:stay|staying|remain|remaining)(?: close to home| here)? in\s+$|" + _NOT_LEAVING
)
# "Anywhere" as a wish when the coach did not ask: "she'll go anywhere", not "didn't submit it
# anywhere".
ANYWHERE_WISH = (
    r"\b(?:go|going|study|studying|attend|move|be|live|schools?|colleges?|consider|considering|"
    r"open to|fine with|happy|look(?:ing)?|travel|relocate)\b[^.;!?]{0,20}\banywhere\b"
    r"|\banywhere in (?:the )?(?:us|u\.s\.|country|states|united states)\b"
    r"|^\W*anywhere\W*$|\banywhere is (?:fine|ok|okay|good)\b|\bany state\b|\bnationwide\b"
    r"|\bacross the (?:us|u\.s\.|country)\b|\bopen to (?:any|all) (?:states|locations|places)\b"
    r"|\blocation (?:doesn't|does not) matter\b|\ball over the (?:country|us|map)\b"
    r"|\b(?:don't|do not|doesn't|does not) care where\b|\bwherever\b|\bdoesn't matter where\b"
)
# Words of a location wish without a place: "anywhere", "close to home", "in-state".
ANYWHERE = (
    r"\banywhere\b|\bany state\b|\ball over\b|\bnationwide\b|\bacross the (?:us|u\.s\.|country)\b"
    r"|\bopen to (?:any|all) (?:states|locations|places)\b|\blocation (?:doesn't|does not) matter\b"
)
CLOSE_TO_HOME = re.compile(
    r"\bin[- ]state\b|\bclose to home\b|\bnear home\b|\bstay (?:home|local|close)\b|\blocal\b"
    # "stay IS" (in-state), as families abbreviate it.
    r"|\bstay(?:ing)? is\b"
    # "stay at UH or go to the West Coast": staying at a college near home.
    r"|\bstay(?:ing)? at\b"
)
