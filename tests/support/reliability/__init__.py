"""Reliability scenarios, shared by ``tests/reliability`` (small numbers) and ``make reliability`` (large).

``python -m tests.support.reliability`` (``make reliability``) runs the long versions and prints one
table. Every scenario returns a :class:`~.figures.Figures` and raises
:class:`~.figures.ReliabilityFailure` on the first broken promise, so the tests just call the
scenario functions. One module per concern:

* ``figures``       - the counts a scenario returns and the failure it raises;
* ``project``       - the small project database, and raw read-only looks at a file (integrity, dump, digest);
* ``model``         - the deterministic annotator: seeded actions and the rows they must leave;
* ``load``          - N annotator processes on one database, with an exporter and an agreement reader;
* ``kills``         - SIGKILL of a store writer, of ``annotator import`` and of the app in a pty;
* ``bad_databases`` - damaged, foreign and newer files against every command;
* ``bad_inputs``    - the tests/bad_inputs corpus and large generated files through ``annotator import``;
* ``fuzz``          - hypothesis over every importer;
* ``table``         - the summary table; ``__main__`` - the long run.

The pseudo-terminal driver and the CLI runner they use are :mod:`tests.support.pty_driver` and
:mod:`tests.support.cli_runner`.
"""
