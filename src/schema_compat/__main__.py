"""``python -m schema_compat``."""

from .cli.commands import main

main()
