"""Allow ``python -m prosper_coop``."""

from prosper_coop.cli.launch import main

main()
