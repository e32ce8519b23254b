"""Signals read from the raw message before any model sees it.

Safety and manipulation never depend on a model's reading: a crisis disclosure or a request for a
person is recognised here, by rules, whatever `COACH_MODEL` is.
"""

import re

CRISIS = "crisis"
HUMAN = "human"
INJECTION = "injection"
OFF_TOPIC_TASK = "off_topic_task"

_PATTERNS: dict[str, str] = {
    CRISIS: (
        r"\bkill (?:him|her|them|my|your)sel(?:f|ves)\b|\bkill myself\b|\bsuicid|\bself[- ]?harm"
        r"|\bhurt(?:ing)? (?:him|her|them|my)sel(?:f|ves)\b"
        r"|\bcut(?:ting)? (?:him|her|them|my)sel(?:f|ves)\b|\bwants? to die\b"
        r"|\bend (?:his|her|their|my) life\b|\bnot safe at home\b|\babus(?:e|ed|ing|ive)\b"
        r"|\b(?:hits|beats) (?:him|her|me|them)\b|\bin danger\b|\boverdos"
    ),
    HUMAN: (
        r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|the|some)?\s*(?:real\s+|actual\s+|live\s+)?"
        r"(?:human|person|counselor|counsellor|advisor|adviser|someone|somebody|staff|people)\b"
        r"|\breal (?:human|person)\b|\bhuman (?:being|please)\b|\bconnect (?:me|us) (?:to|with)\b"
        r"|\b(?:counselor|counsellor|human) please\b|\bget (?:me|us) a (?:human|person|counselor)\b"
    ),
    INJECTION: (
        r"\bignore (?:all |any |the )?(?:previous|prior|above|earlier|your) "
        r"(?:instructions|prompts?|rules)|\bsystem prompt\b|\bdeveloper mode\b|\bjailbreak"
        r"|\bdisregard (?:all |any |the )?(?:previous|prior|above|your)"
        r"|\breveal (?:your |the )?(?:hidden |secret |system )?(?:instructions|prompt|rules)"
        r"|^\s*system\s*:|\byou are now\b|\bpretend (?:to be|you are)\b|\bhidden instructions\b"
    ),
    OFF_TOPIC_TASK: r"\b(?:write|do|finish)\s+(?:my|his|her|our)\s+(?:essay|homework|assignment|paper)\b",
}
_COMPILED = {signal: re.compile(pattern) for signal, pattern in _PATTERNS.items()}


def guard_signals(text: str) -> frozenset[str]:
    """The guard signals present in `text` (already normalized)."""
    lowered = text.lower()
    return frozenset(signal for signal, pattern in _COMPILED.items() if pattern.search(lowered))
