"""annotator: keyboard-first terminal annotation."""
