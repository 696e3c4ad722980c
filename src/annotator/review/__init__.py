"""Review, agreement and merging: the layer above the annotators' own spans.

``agreement`` computes inter-annotator figures (pure functions, no SQL);
``candidates`` merges every annotator's spans into candidates for review;
``command`` holds the ``review``, ``agreement``, ``merge`` and ``reviewers``
commands. The gold layer itself is written by the store (``Store.decide``...).
"""
