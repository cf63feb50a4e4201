"""``python -m citykg`` runs the CLI."""

from citykg.cli import main

main()
