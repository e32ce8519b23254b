"""Numbers written in words: "twenty-five thousand", "thirteen fifty" (an SAT said aloud)."""

import re

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
NUMBER_WORD_PATTERN = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))


def words_to_number(words: str) -> int | None:
    """'twenty five' → 25, 'a hundred' → 100; None when a word is not a number word."""
    total = 0
    for word in re.split(r"[\s-]+", words.strip()):
        if word == "hundred":
            total = max(total, 1) * 100
        elif word in NUMBER_WORDS:
            total += NUMBER_WORDS[word]
        elif word not in {"and", "a", ""}:
            return None
    return total or None


_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ONES = "one|two|three|four|five|six|seven|eight|nine"
_HUNDREDS = "four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
# "thirteen fifty" (1350), "fourteen hundred" (1400), "twelve ten" (1210), "fifteen twenty-five".
_SPOKEN_SAT = re.compile(
    rf"\b(?P<hundreds>{_HUNDREDS})[\s-]+(?:(?P<hundred>hundred)(?:[\s-]+and)?"
    rf"(?:[\s-]+(?P<rest>(?:{_TENS})(?:[\s-]+(?:{_ONES}))?|ten|{_ONES}))?"
    rf"|(?P<tens>(?:{_TENS})(?:[\s-]+(?:{_ONES}))?|ten))\b"
)
# "thirty-two on the ACT": tens and ones said before or after a test's name.
_SPOKEN_ACT = re.compile(
    rf"\b(?P<words>(?:{_TENS})(?:[\s-]+(?:{_ONES}))?|{_ONES}|ten|eleven|twelve|thirteen|fourteen"
    rf"|fifteen|sixteen|seventeen|eighteen|nineteen)\b(?=\s+(?:on (?:the|her|his|my) )?act\b)"
    rf"|(?<=\bact of )(?P<after>(?:{_TENS})(?:[\s-]+(?:{_ONES}))?)\b"
)


def spoken_scores_as_digits(text: str) -> str:
    """Replace test scores said in words with digits, leaving every other word alone."""

    def sat(match: re.Match) -> str:
        hundreds = NUMBER_WORDS[match.group("hundreds")] * 100
        rest = match.group("rest") or match.group("tens")
        tail = words_to_number(rest) if rest else 0
        return str(hundreds + (tail or 0))

    def act(match: re.Match) -> str:
        return str(words_to_number(match.group("words") or match.group("after")))

    return _SPOKEN_ACT.sub(act, _SPOKEN_SAT.sub(sat, text))
