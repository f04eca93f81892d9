"""The Interactly condition-expression grammar, parsed for real (never eval'd)."""

import pytest

from emulator.interactly.expressions import ExpressionError, check, parse

VARS = {"full_name": "Ada", "age": 36, "score": "7.5", "empty": "", "none": None,
        "user": {"plan": "pro", "tags": ["a", "b"]}, "thread_0": {"intent": "billing"},
        "flag": True}


@pytest.mark.parametrize("text, expected", [
    ("isPresent([[full_name]])", True),
    ("isPresent([[missing]])", False),
    ("isAbsent([[none]])", True),
    ("isEmpty([[empty]]) AND isNonEmpty([[full_name]])", True),
    ("[[age]] >= 18", True),
    ("[[age]] < 18 OR [[user.plan]] == 'pro'", True),
    ("NOT ([[user.plan]] == 'free')", True),
    ("[[score]] > 7", True),
    ("[[score]] == 7.5", True),
    ("[[full_name | upcase]] == 'ADA'", True),
    ("[[thread_0.intent]] == \"billing\"", True),
    ("[[user.tags.1]] == 'b'", True),
    ("[[flag]] == true", True),
    ("[[missing]] == null", True),
    ("[[missing]] > 3", False),
    ("isPresent([[a]]) or not isPresent([[b]])", True),
    ("[[age]] != 36", False),
])
def test_expressions(text, expected):
    assert check(text, VARS) is expected


@pytest.mark.parametrize("text", [
    "", "[[age]] >", "(( [[age]] == 1 )", "[[age]] == 1 extra", "__import__('os')",
    "[[a | explode]]", "[[bad path!]]", "isPresent [[a]]", "[[age]] === 3", "contains([[a]])",
    "x" * 5000,
])
def test_bad_expressions_raise_a_clear_error(text):
    with pytest.raises(ExpressionError):
        check(text, VARS)


def test_precedence_and_binds_tighter_than_or():
    assert parse("[[a]] OR [[b]] AND [[c]]")[0] == "or"
    assert check("[[flag]] OR [[missing]] AND [[missing]]", VARS) is True
