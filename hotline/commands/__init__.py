"""Subcommands of the `hotline` CLI, one module each, each with `register(subparsers)`."""
