"""text.display: the one display-safe function, one for one, and its one-line helpers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text.display import (
    BIDI_PLACEHOLDER,
    C1_PLACEHOLDER,
    display_text,
    excerpt,
    inline_text,
    shown,
    visible,
)

#: What a terminal would act on, reorder by, or fail to encode.
UNSAFE = (
    {chr(c) for c in range(0x20)} | {chr(c) for c in range(0x7F, 0xA0)}
    | {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029)}
    | {chr(c) for c in range(0xD800, 0xE000)}
)
HOSTILE = "[b]x[/b] \x1b]0;title\x07 \x1b[2J \x9b31m nul\x00 cr\r \u202eevil\u202c \u2066i\u2069 \ud800 a\u2028b\n\tc"

any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60) | st.text(
    st.sampled_from(sorted(UNSAFE) + list("ab \n\t😀e\u0301")), max_size=60
)


@given(any_text)
@settings(max_examples=500)
def test_display_text_is_one_for_one_and_holds_nothing_a_terminal_acts_on(text):
    shown_text = display_text(text)
    assert len(shown_text) == len(text)
    assert not (set(shown_text) - {"\n", "\t"}) & UNSAFE
    for original, safe in zip(text, shown_text):
        assert safe == original or original in UNSAFE  # only unsafe characters are replaced
    shown_text.encode("utf-8")  # never a lone surrogate


@given(any_text)
@settings(max_examples=500)
def test_inline_text_is_one_line_one_for_one_and_safe(text):
    line = inline_text(text)
    assert len(line) == len(text)
    assert not set(line) & UNSAFE
    assert visible(text) == line


def test_placeholders():
    safe = display_text(HOSTILE)
    assert safe[HOSTILE.index("\x1b")] == "␛" and safe[HOSTILE.index("\x00")] == "␀"
    assert safe[HOSTILE.index("\x9b")] == C1_PLACEHOLDER and safe[HOSTILE.index("\ud800")] == C1_PLACEHOLDER
    assert safe[HOSTILE.index("\u202e")] == BIDI_PLACEHOLDER and safe[HOSTILE.index("\r")] == "␍"
    assert safe[HOSTILE.index("\u2028")] == "↵"
    assert safe.endswith("\n\tc") and "[b]x[/b]" in safe  # layout kept, markup left as text
    assert inline_text("a\nb\tc") == "a b c"


def test_excerpt_is_one_inert_line_cut_with_an_ellipsis():
    assert excerpt("a\x1b[2J\nb" + "c" * 100, 10) == "a␛[2J b" + "cc…"
    assert excerpt("  short\n\n text ") == "short text"


def test_values_for_command_output():
    assert visible(ValueError("bad \x1b[2J name\nnext")) == "bad ␛[2J name next"
    cell = shown("[red]x[/red] \x07")
    assert cell.plain == "[red]x[/red] ␇" and not cell.spans  # plain text, never markup
