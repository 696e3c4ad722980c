"""The command line (``annotator``): one module per command, shared options in :mod:`.options`.

``[project.scripts] annotator = "annotator.cli:main"``. Nothing outside this
package imports it; it imports the domain packages (store, importers,
exporters, review) and the screens (``tui``) only inside the commands.
"""

from .main import cli, main

__all__ = ["cli", "main"]
