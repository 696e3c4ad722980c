"""Synthetic news-like documents and spans, for tests and benchmarks.

Everything here is deterministic: the same arguments give the same text and
the same spans on every run and every machine (``random.Random`` seeded with
an integer; no ``hash()``, no set iteration order).

* :func:`synthetic_text` builds text of exactly ``size_chars`` code points:
  a headline, then paragraphs of template sentences full of figures, sources
  and named entities, separated by blank lines. With ``unicode=True`` it mixes
  in accented (precomposed and combining) names, CJK names, emoji with ZWJ and
  skin-tone modifiers, flags, right-to-left words and no-break spaces, so that
  code point offsets can be checked against every kind of character.
* :func:`synthetic_spans` picks word-aligned spans over any text, some nested
  in and some overlapping others.
* :func:`synthetic_corpus` yields :class:`~annotator.store.ImportRecord` s
  with distinct texts and spans, ready for ``Store.import_records``.

Write a big file for a benchmark with::

    python -m tests.support.synthetic --size 1000000 --out big.txt [--seed 0] [--unicode]

(from the repository root).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from pathlib import Path

from annotator.models import Document, Span
from annotator.store import ImportRecord

DEFAULT_LABELS = ("CLAIM", "FIGURE", "SOURCE", "ENTITY")

# -- vocabulary -------------------------------------------------------------------------------
# All names are invented. The Unicode lists are used only with unicode=True.

_PEOPLE = (
    "Miriam Okafor", "Daniel Reyes-Whitfield", "Grace Lindqvist", "Leonard Baptiste", "Helena Marsh",
    "Tomas Varga", "Raymond Osei", "Dana Whitlock", "Caroline Etheridge", "Priya Raman", "Owen Castell",
    "Lucia Ferrante", "Samuel Adeyemi", "Nora Halvorsen", "Victor Amsel", "Ruth Kimani",
)
_PEOPLE_U = (
    "José Núñez", "Zoë Brontë-Hale", "Łukasz Wójcik", "Søren Østergaard", "Ayşe Yılmaz", "Nguyễn Thị Lan",
    "Antonín Dvořák-Reyes", "Rene\u0301e Dubois", "Zo\u0308e Ka\u0308stner", "王秀英", "佐藤 健一", "김민준",
    "Inés Castañeda", "François Lefèvre",
)
_ROLES = (
    "a spokesperson for", "the director of", "an economist at", "the chief executive of",
    "a senior analyst at", "the chair of", "a researcher at", "the treasurer of",
)
_ORGS = (
    "the Port Calloway Office of Budget and Management", "Meridian Ratings", "the Westbrook Institute of Public Health",
    "Tallis Valley Water", "the Calloway Taxpayers Association", "Crestline Utilities Group",
    "the State Public Utilities Commission", "the National Diet Survey", "Harbor Point Holdings",
    "the Northshore Transit Authority", "Eastmoor University", "the Regional Housing Board",
    "Brightwater Energy", "the Fourth District Court of Appeal", "the County Elections Office",
)
_ORGS_U = (
    "北辰数据 (Beichen Data)", "さくら電機", "삼한전자", "Eólica Marítima del Sur", "Müller & Söhne GmbH",
    "the Institut d’Études Énergétiques", "Compagnie des Eaux de Valbrune", "وزارة الصحة",
    "Cofradía de Pescadores", "Łódzkie Zakłady Energetyczne",
)
_PUBLICATIONS = (
    "the Calloway Ledger", "the Riverside Business Journal", "the Northern Journal of Cardiovascular Medicine",
    "the Tallis Courier", "the Evening Standard-Gazette", "Harbor Radio News", "the Weekly Observer",
)
_PUBLICATIONS_U = ("Le Courrier de Valbrune", "Diário do Norte", "الأخبار", "חדשות היום", "东方日报", "Gazeta Wrocławska")
_PLACES = (
    "Port Calloway", "Tallis County", "Santa Olalla", "Harbor Point", "Westbrook", "Eastmoor", "Northshore",
    "Cabo Herrera", "Brightwater", "Millbrook Heights", "Lake Ardent", "Fenwick",
)
_PLACES_U = ("Île-de-Valbrune", "São Lourenço", "Puerto Lúcar", "Zürichberg", "Łąkowo", "Ålesund-Vest", "新港市")
_THINGS = (
    "road repairs", "school meals", "pension contributions", "flood defences", "bus services", "meter upgrades",
    "public housing", "hospital staffing", "broadband rollout", "wind turbines", "water treatment", "street lighting",
)
_SUBJECTS = (
    "unemployment", "the deficit", "hospital admissions", "turnout", "energy prices", "rents", "emissions",
    "tax receipts", "waiting times", "ridership", "child poverty", "the reserve fund",
)
_MOVES = ("rose", "fell", "climbed", "dropped", "increased", "declined", "jumped", "slipped")
_VERBS_SAID = ("said", "told reporters", "wrote in a report", "said in a statement", "told the committee")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)
_QUOTES = (
    "We have known this bill was coming for a decade",
    "These are real jobs, signed in the contract",
    "The numbers simply do not add up",
    "Families are already paying more for rent and fuel",
    "This is one of the largest studies of its kind",
    "Nobody should be billed on guesswork",
    "We will close this gap without raising taxes",
    "The data speak for themselves",
)
_POSTS_U = (
    "Big win for {place} today", "Green jobs? Show us where", "Thank you to every volunteer",
    "Results are in", "Proud of this team", "Read the full report here",
)
_EMOJI_U = (
    "👍🏽", "👩🏾\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇪🇺", "❤️", "🤔", "📈", "🧑🏻\u200d⚕️",
    "👏🏿", "🇵🇹", "🎉",
)
_RTL_U = ("שלום", "הארץ הירוקה", "الأخبار", "السلام عليكم", "مدينة", "ملیون")


def _money(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"${rng.randint(1, 999)}.{rng.randint(0, 9)} million"
    return f"${rng.randint(1000, 999_999):,}"


def _money_u(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"€{rng.randint(1, 99)},{rng.randint(0, 9)}\u00a0Mio."
    if r < 0.7:
        return f"{rng.randint(1, 999)}\u202f{rng.randint(100, 999)} €"
    return f"£{rng.randint(1, 99)}.{rng.randint(0, 9)}bn"


def _pct(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.randint(1, 60)}.{rng.randint(0, 9)} percent"
    return f"{rng.randint(1, 95)}%"


def _date(rng: random.Random) -> str:
    return f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(1998, 2031)}"


def _count(rng: random.Random) -> str:
    return f"{rng.randint(12, 950_000):,}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _ascii_sentence(rng: random.Random) -> str:
    c = rng.choice
    k = rng.randrange(10)
    if k == 0:
        return (
            f"According to {c(_ORGS)}, {c(_SUBJECTS)} in {c(_PLACES)} {c(_MOVES)} by {_pct(rng)} "
            f"between {rng.randint(1998, 2015)} and {rng.randint(2016, 2031)}."
        )
    if k == 1:
        return f"{c(_PEOPLE)}, {c(_ROLES)} {c(_ORGS)}, {c(_VERBS_SAID)} that the plan would cost {_money(rng)}."
    if k == 2:
        return f'"{c(_QUOTES)}," {c(_PEOPLE)} {c(_VERBS_SAID)} on {c(_WEEKDAYS)}.'
    if k == 3:
        return f"{_cap(c(_ORGS))} employs {_count(rng)} people in {c(_PLACES)}, {c(_PUBLICATIONS)} reported."
    if k == 4:
        return (
            f"The city spent {_money(rng)} on {c(_THINGS)} in {rng.randint(2000, 2030)}, "
            f"up {_pct(rng)} on the year before, according to {c(_PUBLICATIONS)}."
        )
    if k == 5:
        return (
            f"Data published on {_date(rng)} show that {_pct(rng)} of households in {c(_PLACES)} "
            f"rely on {c(_THINGS)}."
        )
    if k == 6:
        return (
            f"{c(_PEOPLE)} {c(_VERBS_SAID)} that {c(_SUBJECTS)} {c(_MOVES)} to {_count(rng)} last year, "
            f"the highest figure since {rng.randint(1980, 2020)}."
        )
    if k == 7:
        return (
            f"A survey of {_count(rng)} residents by {c(_ORGS)} found that {rng.randint(2, 9)} in 10 "
            f"opposed the {c(_THINGS)} plan."
        )
    if k == 8:
        return f"The {c(_PLACES)} council will vote on {_date(rng)}, and public hearings are set for {c(_WEEKDAYS)}."
    return (
        f"{c(_PUBLICATIONS)[0].upper()}{c(_PUBLICATIONS)[1:]} reported that {c(_ORGS)} had set aside "
        f"{_money(rng)} for {c(_THINGS)} over {rng.randint(2, 15)} years."
    )


def _unicode_sentence(rng: random.Random) -> str:
    c = rng.choice
    k = rng.randrange(6)
    if k == 0:
        post = c(_POSTS_U).format(place=c(_PLACES_U))
        return f"{c(_ORGS_U)} posted on social media: “{post} {c(_EMOJI_U)}” — it was shared {_count(rng)} times."
    if k == 1:
        return (
            f"{c(_PEOPLE_U)}, {c(_ROLES)} {c(_ORGS_U)}, said the contract was worth {_money_u(rng)} "
            f"— {_pct(rng)} more than planned."
        )
    if k == 2:
        return f"According to {c(_PUBLICATIONS_U)}, a banner in {c(_PLACES_U)} read “{c(_RTL_U)}” on {_date(rng)}."
    if k == 3:
        return (
            f"Temperatures in {c(_PLACES_U)} reached {rng.randint(-20, 45)}\u00a0°C, "
            f"and CO₂ output {c(_MOVES)} by {rng.randint(1, 40)}½%."
        )
    if k == 4:
        return (
            f"“{c(_QUOTES)} {c(_EMOJI_U)},” {c(_PEOPLE_U)} wrote, "
            f"adding that {c(_ORGS_U)} had hired {_count(rng)} staff…"
        )
    return f"{c(_PEOPLE_U)} and {c(_PEOPLE_U)} of {c(_ORGS_U)} met in {c(_PLACES_U)} {c(_EMOJI_U)} on {_date(rng)}."


def _headline(rng: random.Random, unicode: bool) -> str:
    place = rng.choice(_PLACES_U if unicode and rng.random() < 0.5 else _PLACES)
    thing = rng.choice(_THINGS)
    if unicode and rng.random() < 0.5:
        return f"{place}: {thing} bill reaches {_money_u(rng)} — {rng.choice(_EMOJI_U)}"
    return f"{place} {thing} costs {rng.choice(_MOVES)} {_pct(rng)}, report says"


def _breaks_cluster(ch: str) -> bool:
    """Whether a text cut just before ``ch`` could split a user-perceived character."""
    o = ord(ch)
    return (
        0x300 <= o <= 0x36F  # combining diacritics
        or o in (0x200D, 0xFE0E, 0xFE0F, 0x20E3)  # ZWJ, variation selectors, keycap
        or 0x1F3FB <= o <= 0x1F3FF  # skin-tone modifiers
        or 0x1F1E6 <= o <= 0x1F1FF  # regional indicators (flags come in pairs)
        or 0xE0020 <= o <= 0xE007F  # tag characters
    )


_LAST_WORD = re.compile(r"\S*\Z")


def _finish(text: str, size: int) -> str:
    """``text`` cut to exactly ``size`` code points, ending cleanly.

    The cut never ends in whitespace (trailing whitespace becomes dots) and
    never splits an emoji or combining sequence (a last word cut inside a
    non-ASCII sequence is replaced by as many ASCII letters).
    """
    cut = text[:size]
    if size < len(text) and not text[size].isspace():
        word_start = _LAST_WORD.search(cut).start()
        word = cut[word_start:]
        # an ASCII word splits too when a combining mark follows ("Ka" of "Ka\u0308stner")
        if word and (_breaks_cluster(text[size]) or _breaks_cluster(word[-1])):
            cut = cut[:word_start] + "x" * len(word)
    stripped = cut.rstrip()
    return stripped + "." * (len(cut) - len(stripped))


def synthetic_text(size_chars: int, seed: int = 0, *, unicode: bool = False) -> str:
    """A news-like text of exactly ``size_chars`` code points (the last sentence may be cut short).

    A headline, a blank line, then paragraphs of 2 to 5 sentences separated by
    blank lines. ``unicode=True`` makes about two sentences in five non-ASCII.
    """
    if size_chars < 0:
        raise ValueError(f"size_chars must be 0 or more, not {size_chars}")
    if size_chars == 0:
        return ""
    rng = random.Random(seed)
    parts = [_headline(rng, unicode), "\n\n"]
    length = len(parts[0]) + 2
    while length < size_chars:
        for i in range(rng.randint(2, 5)):
            if i:
                parts.append(" ")
                length += 1
            sentence = _unicode_sentence(rng) if unicode and rng.random() < 0.4 else _ascii_sentence(rng)
            parts.append(sentence)
            length += len(sentence)
        parts.append("\n\n")
        length += 2
    return _finish("".join(parts), size_chars)


# -- spans -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\S+")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
#: Punctuation trimmed from the edges of a whitespace-separated token to get a word.
_EDGE_PUNCT = ".,;:!?\"'()[]{}“”‘’«»—–…"


def _words(text: str) -> list[tuple[int, int]]:
    words = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        token = m.group()
        inner = token.strip(_EDGE_PUNCT)
        if not inner:
            continue
        if inner != token:
            lead = len(token) - len(token.lstrip(_EDGE_PUNCT))
            start += lead
            end = start + len(inner)
        words.append((start, end))
    return words


def synthetic_spans(
    text: str,
    count: int,
    seed: int = 0,
    labels: Sequence[str] = DEFAULT_LABELS,
) -> list[tuple[int, int, str]]:
    """Up to ``count`` distinct ``(start, end, label)`` spans over ``text``, sorted.

    Offsets are code points, end exclusive. Every span starts at the start of
    a word and ends at the end of one (edge punctuation is not part of a word),
    so ``text[start:end]`` never begins or ends with whitespace. Spans stay
    within a paragraph. About one in six is nested inside an earlier span and
    one in six overlaps an earlier span's end. Fewer than ``count`` come back
    only when the text has too few words for that many distinct spans.
    """
    labels = tuple(labels)
    if not labels:
        raise ValueError("labels must name at least one label")
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    words = _words(text)
    n = len(words)
    if n == 0 or count == 0:
        return []
    starts = [w[0] for w in words]
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    rng = random.Random(seed)

    def last_word_in_paragraph(i: int, j: int) -> int:
        """``j`` pulled back so that words ``i..j`` share a paragraph."""
        k = bisect_right(breaks, starts[i])
        if k < len(breaks) and breaks[k] < words[j][1]:
            j = bisect_left(starts, breaks[k]) - 1
        return max(i, j)

    chosen: list[tuple[int, int]] = []  # word index ranges, for nesting and overlapping
    seen: set[tuple[int, int, str]] = set()
    result: list[tuple[int, int, str]] = []
    attempts = 0
    while len(result) < count and attempts < count * 20 + 100:
        attempts += 1
        r = rng.random()
        if chosen and r < 1 / 6:  # nested inside an earlier span
            a, b = chosen[rng.randrange(len(chosen))]
            if a == b:
                continue
            i = rng.randint(a, b)
            j = rng.randint(i, b)
            if (i, j) == (a, b):
                continue
        elif chosen and r < 2 / 6:  # overlapping an earlier span's end
            a, b = chosen[rng.randrange(len(chosen))]
            if a == b or b + 1 >= n:
                continue
            i = rng.randint(a + 1, b)
            j = last_word_in_paragraph(i, min(n - 1, b + rng.randint(1, 4)))
            if j <= b:
                continue
        else:
            i = rng.randrange(n)
            width = rng.randint(1, 3) if r < 0.75 else rng.randint(4, 15)
            j = last_word_in_paragraph(i, min(n - 1, i + width - 1))
        key = (words[i][0], words[j][1], rng.choice(labels))
        if key in seen:
            continue
        seen.add(key)
        chosen.append((i, j))
        result.append(key)
    result.sort()
    return result


# -- corpus ------------------------------------------------------------------------------------


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()


def _derived_seed(*parts: object) -> int:
    return int.from_bytes(_digest(*parts)[:8], "big")


def synthetic_corpus(
    n_docs: int,
    spans_per_doc: int,
    seed: int = 0,
    size_chars: int = 400,
    *,
    unicode: bool = False,
    annotator: str = "synthetic",
    labels: Sequence[str] = DEFAULT_LABELS,
) -> Iterator[ImportRecord]:
    """``n_docs`` import records named ``synthetic-00000.txt`` ..., each with distinct text.

    Span ids are derived from the document and the span, so the same corpus
    has the same ids every time (and importing it twice adds nothing).
    Raises ValueError if ``size_chars`` is too small for that many distinct texts.
    """
    seen: set[str] = set()
    for index in range(n_docs):
        for attempt in range(100):
            text = synthetic_text(size_chars, _derived_seed("text", seed, index, attempt), unicode=unicode)
            if text.strip() and text not in seen:
                break
        else:
            raise ValueError(f"size_chars={size_chars} is too small for {n_docs} distinct documents")
        seen.add(text)
        doc = Document.from_text(f"synthetic-{index:05d}.txt", text, {"synthetic": True, "seed": seed, "index": index})
        spans = [
            Span(
                id=_digest("span", doc.id, start, end, label, annotator).hex()[:16],
                document_id=doc.id,
                start=start,
                end=end,
                label=label,
                annotator=annotator,
            )
            for start, end, label in synthetic_spans(
                text, spans_per_doc, _derived_seed("spans", seed, index), labels
            )
        ]
        yield ImportRecord(doc, spans=spans)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.synthetic", description="Write a synthetic news-like UTF-8 text file."
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="length in code points (default 1000000)")
    parser.add_argument("--out", type=Path, required=True, help="the file to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--unicode", action="store_true", help="mix in accents, CJK, emoji and RTL words")
    args = parser.parse_args(argv)
    if args.size < 0:
        parser.error("--size must be 0 or more")
    text = synthetic_text(args.size, args.seed, unicode=args.unicode)
    args.out.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {len(text)} characters ({len(text.encode('utf-8'))} bytes) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
