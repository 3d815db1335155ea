"""The `hotline` command: one entry point, a subcommand per module in hotline/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module registers its subcommands with `register(subparsers)`; a handler
# is stored as `func` and returns the exit status.
COMMAND_MODULES: tuple[str, ...] = (
    "serve",
    "units",
    "sla",
    "calendar",
    "nlp",
    "classify",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline", description="12349 social-assistance hotline")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"hotline.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
