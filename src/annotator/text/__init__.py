"""Text as the program handles it: offsets, the one tokenizer, sentences, display-safe output.

* :mod:`.offsets`: code points inside, UTF-16 at the import and export edges;
* :mod:`.tokens`: the one tokenizer (exporters, agreement, review) and the words
  built from its tokens (the screen's word motion, snapping, boundary keys);
* :mod:`.snapping`: ``snap``, the one snapping function every way of selecting goes
  through, and grapheme cluster boundaries (the module is not named ``snap``: importing it
  would then replace the function ``annotator.text.snap`` with the module);
* :mod:`.sentences`: the one set of sentence and paragraph rules (CoNLL and the screen);
* :mod:`.search`: finding a literal query (smart case, Unicode folding, exact offsets, wrap);
* :mod:`.display`: the one display-safe function for untrusted text, and its helpers.

Nothing here imports Textual, the store or the models: every layer may use it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Each public name and the module that holds it. They load on first use (PEP 562): a command
#: that only prints names needs :mod:`.display`, not the tokenizer's compiled patterns.
_HOME = {
    "BIDI_PLACEHOLDER": "display",
    "C1_PLACEHOLDER": "display",
    "CODEPOINTS": "offsets",
    "SearchHit": "search",
    "SearchMode": "search",
    "Token": "tokens",
    "Tokenized": "tokens",
    "UNITS": "offsets",
    "UTF16": "offsets",
    "Utf16": "offsets",
    "breaks_sentence": "sentences",
    "convert_in": "offsets",
    "convert_out": "offsets",
    "display_text": "display",
    "excerpt": "display",
    "find": "search",
    "find_all": "search",
    "grapheme_end": "snapping",
    "grapheme_start": "snapping",
    "inline_text": "display",
    "is_grapheme_boundary": "snapping",
    "json_text": "display",
    "move_edge": "tokens",
    "next_paragraph_start": "sentences",
    "next_sentence_start": "sentences",
    "next_word_end": "tokens",
    "next_word_start": "tokens",
    "normalize_with_map": "offsets",
    "previous_paragraph_start": "sentences",
    "previous_sentence_start": "sentences",
    "previous_word_end": "tokens",
    "previous_word_start": "tokens",
    "search_mode": "search",
    "sentence_starts": "sentences",
    "shown": "display",
    "slice_in": "offsets",
    "snap": "snapping",
    "snap_to_words": "tokens",
    "tokenize": "tokens",
    "trim_whitespace": "tokens",
    "utf16_slice": "offsets",
    "visible": "display",
    "word_at": "tokens",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(_HOME)


__all__ = [
    "BIDI_PLACEHOLDER", "C1_PLACEHOLDER", "CODEPOINTS", "UNITS", "UTF16", "SearchHit", "SearchMode", "Token",
    "Tokenized", "Utf16", "find", "find_all", "search_mode",
    "breaks_sentence", "convert_in", "convert_out", "display_text", "excerpt", "grapheme_end",
    "grapheme_start", "inline_text", "is_grapheme_boundary", "json_text", "move_edge", "next_paragraph_start",
    "next_sentence_start", "next_word_end", "next_word_start", "normalize_with_map", "previous_paragraph_start",
    "previous_sentence_start", "previous_word_end", "previous_word_start", "sentence_starts", "shown", "slice_in",
    "snap", "snap_to_words", "tokenize", "trim_whitespace", "utf16_slice", "visible", "word_at",
]
