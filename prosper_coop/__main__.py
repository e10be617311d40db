"""Allow ``python -m prosper_coop``."""

from prosper_coop.cli.app import main

main()
