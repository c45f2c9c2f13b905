"""The `sidecar` command's package: commands listed from recorded help, imported only when run."""
import inspect
import os
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from sidecar.cli import COMMANDS, main
from sidecar.cli.lazy import LazyGroup

ROOT = Path(__file__).resolve().parents[1]


def test_each_recorded_help_is_the_first_paragraph_of_the_commands_own():
    context = click.Context(main, info_name="sidecar")
    for name, lazy in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        assert lazy.help == inspect.cleandoc(command.help).split("\n\n")[0], name


def test_the_listing_from_recorded_help_is_clicks_own_listing_of_the_loaded_commands():
    context = click.Context(main, info_name="sidecar")
    loaded = click.Group("sidecar", commands={name: main.get_command(context, name) for name in COMMANDS})
    unloaded = LazyGroup("sidecar", lazy_commands=COMMANDS)
    for width in (60, 80, 120):
        listed = CliRunner().invoke(unloaded, ["--help"], prog_name="sidecar", terminal_width=width).output
        assert listed == CliRunner().invoke(loaded, ["--help"], prog_name="sidecar", terminal_width=width).output
        assert "  installation  Installations (tenants)" in listed
    assert unloaded.commands == {}


def test_help_imports_no_command_module_nor_the_database_layer():
    script = ("import sys\nfrom sidecar.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in sys.modules if m.startswith(('sidecar.', 'sqlalchemy', 'alembic', 'sklearn'))))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().splitlines()[-1] == "['sidecar.cli', 'sidecar.cli.lazy']"


def test_python_dash_m_runs_the_same_command():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "sidecar.cli", "keygen"], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True)
    assert len(result.stdout.strip()) == 44  # a Fernet key: 32 bytes in url-safe base64
