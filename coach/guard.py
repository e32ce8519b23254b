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
        r"|\bend (?:his|her|their|my) life\b|\bnot safe at home\b"
        r"|\b(?:not|doesn't|does not|don't|do not) (?:want|wanting) to (?:be here|be alive|live)\b"
        r"|\bnot wanting to be (?:here|alive)\b|\bbetter off dead\b|\bno reason to live\b"
        # Abuse disclosed about someone in the family, not the word in a career plan.
        r"|\b(?:is|was|being|been|gets|got) (?:sexually |physically )?abused\b"
        r"|\babus(?:es|ing) (?:him|her|me|them|us)\b|\babusive (?:father|mother|parent|partner|"
        r"boyfriend|girlfriend|husband|wife|home|relationship|stepfather|stepmother)\b"
        r"|\b(?:hits|beats) (?:him|her|me|them)\b|\bin danger\b|\boverdos"
    ),
    HUMAN: (
        r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|the|some)?\s*(?:real\s+|actual\s+|live\s+)?"
        r"(?:human|person|counselor|counsellor|advisor|adviser|someone|somebody|staff|people)\b"
        r"|\breal (?:human|person)\b|\bhuman (?:being|please)\b|\bconnect (?:me|us) (?:to|with)\b"
        r"|\b(?:counselor|counsellor|human) please\b|\bget (?:me|us) a (?:human|person|counselor)\b"
        r"|\b(?:person|human|counselor|counsellor|someone|somebody) (?:i|we) (?:can|could) "
        r"(?:talk|speak|chat) (?:to|with)\b"
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
