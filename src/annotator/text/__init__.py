"""Text as the program handles it: offsets, the one tokenizer, sentences, display-safe output.

* :mod:`.offsets`: code points inside, UTF-16 at the import and export edges;
* :mod:`.tokens`: the one tokenizer (exporters, agreement, review) and the words
  built from its tokens (the screen's word motion, snapping, boundary keys);
* :mod:`.sentences`: the one set of sentence and paragraph rules (CoNLL and the screen);
* :mod:`.display`: the one display-safe function for untrusted text, and its helpers.

Nothing here imports Textual, the store or the models: every layer may use it.
"""

from __future__ import annotations

from .display import (
    BIDI_PLACEHOLDER,
    C1_PLACEHOLDER,
    display_text,
    excerpt,
    inline_text,
    shown,
    visible,
)
from .offsets import CODEPOINTS, UNITS, UTF16, Utf16, convert_in, convert_out, normalize_with_map, slice_in, utf16_slice
from .sentences import (
    breaks_sentence,
    next_paragraph_start,
    next_sentence_start,
    previous_paragraph_start,
    previous_sentence_start,
    sentence_starts,
)
from .tokens import (
    Token,
    Tokenized,
    move_edge,
    next_word_end,
    next_word_start,
    previous_word_end,
    previous_word_start,
    snap_to_words,
    tokenize,
    trim_whitespace,
    word_at,
)

__all__ = [
    "BIDI_PLACEHOLDER", "C1_PLACEHOLDER", "CODEPOINTS", "UNITS", "UTF16", "Token", "Tokenized", "Utf16",
    "breaks_sentence", "convert_in", "convert_out", "display_text", "excerpt", "inline_text", "move_edge", "next_paragraph_start",
    "next_sentence_start", "next_word_end", "next_word_start", "normalize_with_map", "previous_paragraph_start",
    "previous_sentence_start", "previous_word_end", "previous_word_start", "sentence_starts", "shown", "slice_in",
    "snap_to_words", "tokenize", "trim_whitespace", "utf16_slice", "visible", "word_at",
]
