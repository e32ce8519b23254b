"""Properties of the offline reading of family messages (`coach.language.rules.read_message`).

Pure functions: no database, no graph. Where `test_extraction.py` pins phrasings one by one, these
generate the values (every GPA, score and amount in range) and write them in the forms families use,
then read them back through the whole reader.
"""

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from coach.language.base import Interpretation
from coach.language.rules import read_message

# Modest example counts: the whole file runs in a few seconds.
PROPERTY = settings(max_examples=150, deadline=None)

NUMERIC_SLOTS = {"gpa", "sat", "act", "income", "budget"}


def read(text: str, *asked: str) -> Interpretation:
    return read_message(text, asked=list(asked), profile={})


def facts(reading: Interpretation) -> dict[str, Any]:
    return {fact.slot: fact.value for fact in reading.facts}


def rejected_slots(reading: Interpretation) -> set[str]:
    return {rejection.slot for rejection in reading.rejected}


# --- Strategies ----------------------------------------------------------------------------------


def decimal_text(hundredths: int) -> st.SearchStrategy[str]:
    """A GPA as families write it, with one or two decimals: 3.8 or 3.80, 3.85."""
    forms = {f"{hundredths / 100:.2f}"}
    if hundredths % 10 == 0:
        forms.add(f"{hundredths / 100:.1f}")
    return st.sampled_from(sorted(forms))


UNWEIGHTED_FORMS = (
    "GPA: {g}",
    "{g} GPA",
    "{g}/4.0 unweighted",
    "Her GPA is {g} unweighted.",
)
UNWEIGHTED_AND_WEIGHTED_FORMS = (
    "GPA (UW/W): {g}/{w}",
    "{g} UW / {w} W",
    "{g}/4 UW, {w}/5 W",
    "unweighted {g}, weighted {w}",
)


@st.composite
def unweighted_gpa_statements(draw) -> tuple[str, float]:
    """A GPA of 0.0–4.0 in a supported form, beside a higher weighted one when the form has one."""
    hundredths = draw(st.integers(0, 400))
    form = draw(st.sampled_from(UNWEIGHTED_FORMS + UNWEIGHTED_AND_WEIGHTED_FORMS))
    # The weighted value: above the unweighted one, at most 5.0, never a whole number.
    weighted = draw(st.integers(hundredths + 1, 500).filter(lambda w: w % 100 != 0))
    text = form.format(g=draw(decimal_text(hundredths)), w=draw(decimal_text(weighted)))
    return text, hundredths / 100


@st.composite
def gpa_on_a_scale(draw) -> tuple[str, list[str], float]:
    """A GPA followed by its 4-point scale ("3.91/4", "3.91/4.0"), with or without the word GPA."""
    hundredths = draw(st.integers(0, 400))
    form, asked = draw(
        st.sampled_from(
            [
                ("GPA: {g}/{scale}", []),
                ("{g}/{scale} GPA", []),
                ("Her GPA is {g}/{scale}.", []),
                ("{g}/{scale}", ["academics"]),
            ]
        )
    )
    scale = draw(st.sampled_from(["4", "4.0"]))
    return form.format(g=draw(decimal_text(hundredths)), scale=scale), asked, hundredths / 100


SAT_SECTION = st.integers(200, 800)
ACT_SECTION = st.integers(1, 36)


@st.composite
def sat_statements(draw) -> tuple[str, int]:
    """An SAT total of 400–1600, alone or beside section scores that need not add up to it."""
    total = draw(st.integers(400, 1600))
    form = draw(
        st.sampled_from(
            [
                "SAT: {s}",
                "SAT I: {s} ({rw} RW, {m} M)",
                "SAT {s} ({m}M/{rw}R)",
                "{s} on the SAT",
                "SAT/ACT: {s}/{a}",
                "superscored {s}",
            ]
        )
    )
    text = form.format(
        s=total, rw=draw(SAT_SECTION), m=draw(SAT_SECTION), a=draw(st.integers(1, 36))
    )
    return text, total


@st.composite
def income_statements(draw) -> tuple[str, int, float]:
    """An income stated as a bracket or a figure, and the bounds its stored value must lie in."""
    form = draw(st.sampled_from(["closed", "under", "plus", "about", "figure"]))
    if form == "closed":
        low = draw(st.integers(10, 399))
        high = draw(st.integers(low + 1, 400))
        return f"Income: {low}-{high}k", low * 1000, high * 1000
    thousands = draw(st.integers(10, 400))
    if form == "under":
        return f"Income: <{thousands}k", 0, thousands * 1000
    if form == "plus":
        return f"Income: {thousands}k+", thousands * 1000, float("inf")
    if form == "about":
        return f"Income Bracket: ~{thousands}k", thousands * 1000, thousands * 1000
    dollars = draw(st.integers(10_000, 2_000_000))
    return f"Household income is about ${dollars:,}", dollars, dollars


@st.composite
def budget_statements(draw) -> tuple[str, int]:
    if draw(st.booleans()):
        thousands = draw(st.integers(5, 150))
        return f"We can pay about {thousands}k a year.", thousands * 1000
    dollars = draw(st.integers(1_000, 150_000))
    return f"Our budget is ${dollars:,} a year", dollars


HUNDREDS_WORDS = {
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
    13: "thirteen",
    14: "fourteen",
    15: "fifteen",
}
TENS_WORDS = {
    1: "ten",
    2: "twenty",
    3: "thirty",
    4: "forty",
    5: "fifty",
    6: "sixty",
    7: "seventy",
    8: "eighty",
    9: "ninety",
}


def spoken_sat(score: int) -> str:
    """An SAT in tens said aloud: 1350 → "thirteen fifty", 1310 → "thirteen ten", 1400 →
    "fourteen hundred"."""
    hundreds, rest = divmod(score, 100)
    assert rest % 10 == 0, "SAT totals go in steps of ten"
    if rest == 0:
        return f"{HUNDREDS_WORDS[hundreds]} hundred"
    return f"{HUNDREDS_WORDS[hundreds]} {TENS_WORDS[rest // 10]}"


# Everyday words with no digits: no number words, majors or places. Some are cues the readers look
# for ("gpa", "sat", "act", "pay", "afford", "grand", "make"), so a cue alone is tested too.
PLAIN_WORDS = (
    ("a", "an", "the", "she", "he", "we", "they", "our", "her", "his", "my", "is", "was", "has")
    + ("got", "have", "had", "with", "and", "but", "or", "to", "of", "in", "on", "at", "for")
    + ("about", "from", "after", "before", "near", "every", "really", "very", "just", "also")
    + ("still", "not", "so", "school", "campus", "visit", "visited", "tour", "toured", "weekend")
    + ("summer", "friends", "family", "team", "soccer", "plays", "reads", "books", "loves")
    + ("likes", "dogs", "cats", "happy", "busy", "tired", "good", "great", "nice", "day", "night")
    + ("home", "later", "soon", "sat", "act", "gpa", "pay", "paid", "make", "makes", "earn")
    + ("spend", "afford", "save", "grand")
)


@st.composite
def plain_sentences(draw) -> str:
    words = draw(st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=12))
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + draw(st.sampled_from([".", "?", "!", ""]))


# --- GPA ---------------------------------------------------------------------------------------


@PROPERTY
@given(unweighted_gpa_statements())
def test_an_unweighted_gpa_reads_back_as_stated_in_every_supported_form(statement):
    text, gpa = statement
    assert facts(read(text))["gpa"] == gpa


@PROPERTY
@given(gpa_on_a_scale())
def test_a_grading_scale_is_never_read_as_the_gpa(statement):
    text, asked, gpa = statement
    assert facts(read(text, *asked))["gpa"] == gpa


@PROPERTY
@given(st.integers(401, 500), st.data())
def test_a_weighted_only_gpa_is_kept_as_stated_and_marked_weighted(hundredths, data):
    text, gpa = data.draw(decimal_text(hundredths)), hundredths / 100
    (fact,) = [fact for fact in read(f"{text} W (no unweighted)").facts if fact.slot == "gpa"]
    assert (fact.value, fact.detail["weighted"]) == (gpa, True)


# --- SAT and ACT -------------------------------------------------------------------------------


@PROPERTY
@given(sat_statements())
def test_an_sat_total_reads_back_and_section_scores_are_never_the_total(statement):
    text, total = statement
    assert facts(read(text))["sat"] == total


@PROPERTY
@given(st.integers(1, 36), ACT_SECTION, ACT_SECTION, ACT_SECTION, ACT_SECTION)
def test_an_act_composite_reads_back_beside_its_section_scores(act, english, math, reading, sci):
    text = f"ACT: {act} ({english}E, {math}M, {reading}R, {sci}S)"
    assert facts(read(text))["act"] == act


@PROPERTY
@given(st.integers(1, 36), st.sampled_from(["ACT: {a}", "SAT/ACT: 1400/{a}"]))
def test_an_act_composite_reads_back_in_a_labelled_field(act, form):
    assert facts(read(form.format(a=act)))["act"] == act


@PROPERTY
@given(st.integers(1, 36))
@example(2)
def test_an_act_composite_reads_back_after_the_test_name(act):
    assert facts(read(f"ACT {act}"))["act"] == act


@PROPERTY
@given(st.integers(1, 36))
@example(1)
def test_an_act_composite_reads_back_before_the_test_name(act):
    assert facts(read(f"{act} on the ACT"))["act"] == act


# --- Out of range: rejected, never stored -----------------------------------------------------


@PROPERTY
@given(st.one_of(st.integers(1601, 2400), st.integers(100, 399)))
def test_an_sat_outside_400_to_1600_is_rejected_and_not_stored(score):
    reading = read(f"SAT {score}")
    assert "sat" not in facts(reading)
    assert "sat" in rejected_slots(reading)


@PROPERTY
@given(st.integers(37, 99))
def test_an_act_above_36_is_rejected_and_not_stored(score):
    reading = read(f"ACT {score}")
    assert "act" not in facts(reading)
    assert "act" in rejected_slots(reading)


@PROPERTY
@given(st.integers(51, 99))
def test_a_gpa_above_5_is_rejected_and_not_stored(tenths):
    reading = read(f"GPA {tenths / 10:.1f}")
    assert "gpa" not in facts(reading)
    assert "gpa" in rejected_slots(reading)


# --- Money ---------------------------------------------------------------------------------------


@PROPERTY
@given(income_statements())
def test_an_income_is_stored_as_income_inside_the_bracket_stated(statement):
    text, low, high = statement
    reading = facts(read(text))
    assert "budget" not in reading
    assert low <= reading["income"] <= high


@PROPERTY
@given(budget_statements())
def test_a_budget_is_stored_as_the_yearly_amount_and_never_as_income(statement):
    text, budget = statement
    reading = facts(read(text))
    assert "income" not in reading
    assert reading["budget"] == budget


# --- Words ---------------------------------------------------------------------------------------


@PROPERTY
@given(st.integers(90, 159).map(lambda tens: tens * 10))
def test_an_sat_said_in_words_reads_back_as_the_number(score):
    assert facts(read(f"He got {spoken_sat(score)} on the SAT."))["sat"] == score


@PROPERTY
@given(
    plain_sentences(),
    st.lists(st.sampled_from(["academics", "budget", "income", "major", "location"]), unique=True),
)
def test_plain_words_without_numbers_never_give_a_grade_score_or_amount(text, asked):
    reading = read(text, *asked)
    assert not NUMERIC_SLOTS & set(facts(reading))
    assert not NUMERIC_SLOTS & rejected_slots(reading)
