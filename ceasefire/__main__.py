"""``python -m ceasefire`` runs the command-line interface."""

from ceasefire.cli import cli

if __name__ == "__main__":
    cli()
