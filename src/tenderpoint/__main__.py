"""``python -m tenderpoint`` is the ``tenderpoint`` command."""

from tenderpoint.cli import main

main()
