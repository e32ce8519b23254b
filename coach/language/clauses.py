"""Small text helpers the readers share: a pattern anywhere in the text, and its clauses."""

import re


def matches_any(patterns: str, text: str) -> bool:
    return re.search(patterns, text) is not None


# A full stop ends a clause; the dot inside "B.Arch" or "3.5" does not.
_CLAUSE_BREAK = re.compile(r"(?:[,;!?\n()]|\.(?![a-z0-9])| but )+")


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of `text`, without the spaces around it."""
    spans, position = [], 0
    for end in [*(m.start() for m in _CLAUSE_BREAK.finditer(text)), len(text)]:
        clause = text[position:end]
        if clause.strip():
            start = position + len(clause) - len(clause.lstrip())
            spans.append((start, start + len(clause.strip())))
        position = end
        if end < len(text):
            clause_break = _CLAUSE_BREAK.match(text, end)
            assert clause_break is not None  # the split found a break at `end`
            position = clause_break.end()
    return spans
