"""``python -m simulator.cli``: the ``simulate`` command."""

from simulator.cli import main

main()
