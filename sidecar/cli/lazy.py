"""A click group whose commands are imported only when one of them runs.

Each command module imports what it needs (SQLAlchemy, Alembic, the services, scikit-learn) at module
level; importing them all would make `sidecar --help` take seconds. The group lists its commands from
help text recorded beside their module names (tests/test_cli.py checks it matches each command's own).
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a command lives and the first paragraph of its help (what `--help` lists)."""

    module: str
    attribute: str
    help: str


class LazyGroup(click.Group):
    """A group over commands in their own modules, imported when a command is looked up to run."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted, loaded or not."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module the first time it is asked for."""
        lazy = self.lazy_commands.get(cmd_name)
        if lazy is not None and cmd_name not in self.commands:
            # The one place a sidecar module is imported at run time: that is the point of this group.
            self.add_command(getattr(importlib.import_module(lazy.module), lazy.attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands as click does, from their recorded help, without importing them."""
        names = self.list_commands(ctx)
        if not names:
            return
        stand_ins = {name: self.commands.get(name) or click.Command(name, help=self.lazy_commands[name].help)
                     for name in names}
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, command.get_short_help_str(limit)) for name, command in stand_ins.items()
                if not command.hidden]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
