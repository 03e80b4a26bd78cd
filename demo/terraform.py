"""Run ``terraform`` on one configuration with its own data directory and state file.

Offline: with ``TF_PLUGIN_MIRROR`` set (and no existing ``TF_CLI_CONFIG_FILE``), a CLI
configuration that installs providers from that mirror is written next to the data directory.
Every command's output goes to a log file (with seconds since the command started); a failure
raises :class:`TerraformError` carrying the last lines of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# How many lines of a failed command's output an error shows.
ERROR_TAIL_LINES = 15
NO_TERRAFORM = (
    "terraform is not on PATH: install Terraform >= 1.3 "
    "(https://developer.hashicorp.com/terraform/install) or add its directory to PATH"
)


class TerraformError(RuntimeError):
    """A terraform command failed; the message holds the tail of its output."""


class TerraformNotFoundError(TerraformError):
    """No ``terraform`` binary on PATH."""


def find_terraform() -> str:
    """The terraform binary's path; :class:`TerraformNotFoundError` when there is none."""
    found = shutil.which("terraform")
    if found is None:
        raise TerraformNotFoundError(NO_TERRAFORM)
    return found


def mirror_cli_config(mirror: str, path: Path) -> Path:
    """Write a CLI configuration that installs registry providers from ``mirror`` only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    return path


@dataclass
class Terraform:
    """``terraform -chdir=<config>`` with a private data dir, state file and log."""

    config: Path  # the root module to apply, e.g. examples/local
    work: Path  # data dir, state, log and CLI config live here
    variables: Mapping[str, str] = field(default_factory=dict)
    binary: str = field(default_factory=find_terraform)

    def __post_init__(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.state = self.work / "terraform.tfstate"
        self.log_path = self.work / "terraform.log"

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_DATA_DIR": str(self.work / "data"),
        }
        mirror = os.environ.get("TF_PLUGIN_MIRROR")
        configured = os.environ.get("TF_CLI_CONFIG_FILE")
        if mirror and not (configured and Path(configured).is_file()):
            env["TF_CLI_CONFIG_FILE"] = str(mirror_cli_config(mirror, self.work / "terraformrc"))
        return env

    def _var_args(self) -> list[str]:
        return [f"-var={key}={value}" for key, value in self.variables.items()]

    def run(
        self,
        *args: str,
        on_line: Callable[[str], None] | None = None,
        ok_codes: tuple[int, ...] = (0,),
    ) -> tuple[int, str]:
        """Run one command; stream its lines to ``on_line``; return (exit code, output)."""
        command = [self.binary, f"-chdir={self.config}", *args]
        lines: list[str] = []
        with self.log_path.open("a") as log:
            log.write(f"\n$ {' '.join(command)}\n")
            process = subprocess.Popen(
                command,
                env=self.environment(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                # Its own session: a Ctrl-C reaches only this process, which forwards exactly
                # one SIGINT (a second one would make terraform exit without saving state).
                start_new_session=True,
            )
            try:
                _pump(process.stdout, log, lines, on_line)
                code = process.wait()
            except BaseException:
                _interrupt(process)
                raise
        output = "".join(lines)
        if code not in ok_codes:
            tail = "".join(lines[-ERROR_TAIL_LINES:]).rstrip()
            raise TerraformError(
                f"terraform {args[0]} failed (exit {code}); see {self.log_path}:\n{tail}"
            )
        return code, output

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color", "-backend=false")

    def apply(self, on_line: Callable[[str], None] | None = None) -> None:
        self.run(
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-state={self.state}",
            *self._var_args(),
            on_line=on_line,
        )

    def plan_has_changes(self) -> tuple[bool, str]:
        """``plan -detailed-exitcode``: (True, plan text) when the plan would change anything."""
        code, output = self.run(
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-lock=false",
            f"-state={self.state}",
            *self._var_args(),
            ok_codes=(0, 2),
        )
        return code == 2, output

    def outputs(self) -> dict[str, Any]:
        _, output = self.run("output", "-json", "-no-color", f"-state={self.state}")
        raw: dict[str, Any] = json.loads(output)
        return {name: item["value"] for name, item in raw.items()}

    def has_resources(self) -> bool:
        """True when the state file lists any resource (so there is something to destroy)."""
        if not self.state.is_file():
            return False
        try:
            state = json.loads(self.state.read_text())
        except ValueError:
            return True
        return bool(state.get("resources"))

    def destroy(self, on_line: Callable[[str], None] | None = None) -> None:
        self.run(
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-state={self.state}",
            *self._var_args(),
            on_line=on_line,
        )


def _pump(
    stream: IO[str] | None,
    log: IO[str],
    lines: list[str],
    on_line: Callable[[str], None] | None,
) -> None:
    if stream is None:
        return
    started = time.monotonic()
    for line in stream:
        log.write(f"[{time.monotonic() - started:6.1f}s] {line}")
        lines.append(line)
        if on_line is not None:
            on_line(line.rstrip("\n"))


def _interrupt(process: subprocess.Popen[str], grace: float = 120.0) -> None:
    """Ask terraform to stop (one SIGINT: it finishes the calls in flight and saves its state),
    wait for it, and kill it only when it does not end within ``grace`` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=grace)  # keeps reading its output, so it cannot block
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        process.kill()
        process.wait()
