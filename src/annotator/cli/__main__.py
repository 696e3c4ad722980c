"""``python -m annotator.cli``: the same as the ``annotator`` console script."""

from . import main

main()
