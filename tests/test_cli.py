"""The command-line dispatcher: help, unknown commands, user errors without tracebacks."""

import subprocess
import sys

import pytest

from kickgan.cli import main as cli_main
from kickgan.cli.common import parse_int_list
from kickgan.errors import KickganError, UsageError


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kickgan", *args], capture_output=True, text=True)


def test_help_lists_every_command_with_an_example():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in cli_main.COMMANDS:
        assert f"  {name} " in result.stdout
    assert "example:" in result.stdout


def test_unknown_command_is_a_one_line_usage_error():
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown command 'frobnicate'" in result.stderr


@pytest.mark.parametrize("name", list(cli_main.COMMANDS))
def test_every_command_explains_itself_with_an_example(name):
    result = run_cli(name, "--help")
    assert result.returncode == 0, result.stderr
    assert "examples:" in result.stdout
    assert "Traceback" not in result.stderr


def test_user_error_is_printed_on_one_line_with_its_exit_code(monkeypatch, capsys):
    class FailingModule:
        @staticmethod
        def main(argv, prog):
            raise UsageError("--n: must be positive, got -3")

    monkeypatch.setattr(cli_main.importlib, "import_module", lambda name: FailingModule)
    assert cli_main.main(["data", "synth"]) == 2
    err = capsys.readouterr().err
    assert err == "kickgan data: error: --n: must be positive, got -3\n"


def test_runtime_user_error_exits_1(monkeypatch, capsys):
    class FailingModule:
        @staticmethod
        def main(argv, prog):
            raise KickganError("kick.wav: empty file (0 bytes)")

    monkeypatch.setattr(cli_main.importlib, "import_module", lambda name: FailingModule)
    assert cli_main.main(["evaluate"]) == 1
    assert "kick.wav: empty file (0 bytes)" in capsys.readouterr().err


def test_parse_int_list_accepts_lists_and_ranges():
    assert parse_int_list("3,17,42") == [3, 17, 42]
    assert parse_int_list("0-3,9") == [0, 1, 2, 3, 9]
    with pytest.raises(UsageError, match="not a list of integers"):
        parse_int_list("3,x")


def test_a_reader_that_stops_early_is_not_a_traceback():
    script = ("import sys\nfrom kickgan.cli import main as m\n"
              "class Piped:\n    @staticmethod\n    def main(argv, prog):\n"
              "        raise BrokenPipeError(32, 'Broken pipe')\n"
              "m.importlib.import_module = lambda name: Piped\nsys.exit(m.main(['experiment']))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (141, "")
