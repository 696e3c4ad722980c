"""``python -m annotator``: the same as the ``annotator`` console script."""

from .cli import main

main()
