"""A corrected moto server in *this* process, for Terraform and the demo ("embedded AWS").

The AWS provider (run by ``terraform``) talks HTTP to the server; the fake DMS
(:mod:`harness.fake_dms`), the virtual clock and the decider run in the same process, so the
fault injector and the in-process ``lambda:invoke`` see exactly the backends the server serves::

    decider = load_packaged_decider(Path("dist/lambda.zip"))
    with LocalAws(decider=decider.handler) as aws:      # port 0: a free loopback port
        print(aws.url)                                    # http://127.0.0.1:<port>
        ...                                               # terraform apply -var endpoint=aws.url

On start it applies :func:`harness.moto_corrections.prepare_server_process` (every correction the
workflow tests use) plus :func:`harness.moto_corrections.apply_server_corrections` (what the AWS
provider needs: ValidateStateMachineDefinition, ListStateMachineVersions, managed IAM policies,
...), points ``MOTO_PORT`` at the server (moto's Step Functions interpreter reaches the other
services through it) and serves from a daemon thread. :meth:`LocalAws.stop` shuts the server
down, joins its thread, undoes every correction and restores the environment; nothing outlives
the ``with`` block, not even on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from harness.moto_corrections import (
    ACCOUNT_ID,
    REGION,
    LambdaHandler,
    Undo,
    apply_server_corrections,
    prepare_server_process,
)

DECIDER_PACKAGE = "dms_recovery"
DECIDER_HANDLER_MODULE = "dms_recovery.handler"
DECIDER_HANDLER_NAME = "lambda_handler"
# Environment variables the server process needs, restored on stop.
SERVER_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


# Loggers silenced unless verbose: the Step Functions interpreter logs a Fail state (the module's
# "Gave up" end) and every caught SDK error at ERROR level, with a long repr of the state.
QUIET_LOGGERS = ("moto.stepfunctions.parser",)


class QuietRequestHandler(MotoRequestHandler):
    """moto's request handler without the per-request access log line on stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class PortInUseError(RuntimeError):
    """The requested port is taken (by another process, or another server)."""


@dataclass
class PackagedDecider:
    """The decider handler imported from a Lambda package (the zip Terraform deploys)."""

    handler: LambdaHandler
    package: Path  # the zip it came from
    directory: Path  # where it was extracted (removed by cleanup())
    module_file: Path  # the handler module actually imported
    displaced: dict[str, ModuleType]  # decider modules imported before, restored by cleanup()

    def cleanup(self) -> None:
        """Forget the packaged modules (restoring any imported before), drop the directory from
        sys.path and delete it."""
        _drop_decider_modules()
        sys.modules.update(self.displaced)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(self.directory))
        shutil.rmtree(self.directory, ignore_errors=True)


def _drop_decider_modules() -> dict[str, ModuleType]:
    dropped: dict[str, ModuleType] = {}
    for name in list(sys.modules):
        if name == DECIDER_PACKAGE or name.startswith(DECIDER_PACKAGE + "."):
            module = sys.modules.pop(name, None)
            if module is not None:
                dropped[name] = module
    return dropped


def load_packaged_decider(package: Path) -> PackagedDecider:
    """Extract ``package`` (dist/lambda.zip) and import its handler, as Lambda would.

    Any ``dms_recovery`` already imported (e.g. from ``lambda_src`` on the test path) is
    forgotten first, so the code that runs is the packaged code; :attr:`module_file` proves it.
    Import it before activating a :class:`harness.clock.VirtualClock`, which patches the
    decider's clock module.
    """
    if not package.is_file():
        raise FileNotFoundError(f"{package} not found: run `make build` to package the decider")
    directory = Path(tempfile.mkdtemp(prefix="dms-recovery-lambda-"))
    displaced: dict[str, ModuleType] = {}
    try:
        with zipfile.ZipFile(package) as archive:
            archive.extractall(directory)
        displaced = _drop_decider_modules()
        sys.path.insert(0, str(directory))
        importlib.invalidate_caches()
        module = importlib.import_module(DECIDER_HANDLER_MODULE)
    except BaseException:
        _drop_decider_modules()
        sys.modules.update(displaced)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(directory))
        shutil.rmtree(directory, ignore_errors=True)
        raise
    module_file = Path(str(module.__file__)).resolve()
    loaded = PackagedDecider(
        getattr(module, DECIDER_HANDLER_NAME), package, directory, module_file, displaced
    )
    if directory.resolve() not in module_file.parents:
        loaded.cleanup()
        raise RuntimeError(
            f"{DECIDER_HANDLER_MODULE} was imported from {module_file}, not {package}"
        )
    return loaded


class FunctionEnvironmentHandler:
    """Runs a handler with the *deployed* function's environment variables set, as Lambda does.

    The variables are read from moto's Lambda backend on every invocation (what Terraform put
    in ``environment { variables = ... }``), so the demo exercises the module's configuration.
    Invocations are serialised: ``os.environ`` is process-wide.
    """

    def __init__(
        self, handler: LambdaHandler, account_id: str = ACCOUNT_ID, region: str = REGION
    ) -> None:
        self.handler = handler
        self.account_id = account_id
        self.region = region
        self._lock = threading.Lock()

    def environment_of(self, function_arn: str) -> dict[str, str]:
        parts = function_arn.split(":")
        account, region = (parts[4], parts[3]) if len(parts) > 6 else (self.account_id, self.region)
        function = lambda_backend(account, region).get_function(function_arn)
        return {str(k): str(v) for k, v in (function.environment_vars or {}).items()}

    def __call__(self, event: Any, context: Any) -> Any:
        environment = self.environment_of(str(context.invoked_function_arn))
        with self._lock, _environment(environment):
            return self.handler(event, context)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class LocalAws:
    """A corrected moto server on loopback, served from a daemon thread of this process."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        decider: LambdaHandler | None = None,
        exclude: tuple[str, ...] = (),
        verbose: bool = False,
    ) -> None:
        self.verbose = verbose
        self.host = host
        self.requested_port = port
        self.decider = decider
        self.exclude = exclude
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._undos: list[Undo] = []
        self._saved_env: dict[str, str | None] = {}

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Bind the port, apply the corrections, serve; return the endpoint URL.

        Raises :class:`PortInUseError` when the port is taken (nothing is left applied).
        """
        if self._server is not None:
            return self.url
        try:
            self._set_env(SERVER_ENVIRONMENT)
            if not self.verbose:
                self._quiet_loggers()
            self._undos.append(
                prepare_server_process(
                    FunctionEnvironmentHandler(self.decider) if self.decider else None,
                    exclude=self.exclude,
                )
            )
            self._undos.append(apply_server_corrections())
            self._check_port()
            app = DomainDispatcherApplication(create_backend_app)
            try:
                self._server = make_server(
                    self.host,
                    self.requested_port,
                    app,
                    threaded=True,
                    request_handler=MotoRequestHandler if self.verbose else QuietRequestHandler,
                )
            except SystemExit as error:  # werkzeug prints a message and exits when it cannot bind
                raise PortInUseError(
                    f"port {self.requested_port} on {self.host} is in use"
                ) from error
            self._set_env({"MOTO_PORT": str(self.port)})
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="moto-server",
                daemon=True,
            )
            self._thread.start()
        except BaseException:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        """Stop serving, join the thread, undo the corrections, restore the environment."""
        server, self._server = self._server, None
        if server is not None:
            if self._thread is not None and self._thread.is_alive():
                server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        while self._undos:
            self._undos.pop()()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}

    def _check_port(self) -> None:
        """Raise :class:`PortInUseError` when the port cannot be bound (as werkzeug binds it)."""
        if self.requested_port == 0:
            return
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.host, self.requested_port))
            except OSError as error:
                raise PortInUseError(
                    f"port {self.requested_port} on {self.host} is in use"
                ) from error

    def _quiet_loggers(self) -> None:
        """moto logs every Fail state and caught error at ERROR level: expected ends here."""
        for name in QUIET_LOGGERS:
            logger = logging.getLogger(name)
            previous = logger.level
            logger.setLevel(logging.CRITICAL)
            self._undos.append(functools.partial(logger.setLevel, previous))

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def __enter__(self) -> LocalAws:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    """``python -m harness.local_server [PORT]``: serve until Ctrl-C (for poking at by hand)."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    stop = threading.Event()
    try:
        with LocalAws(port, verbose=True) as aws:
            print(f"corrected moto server on {aws.url} (Ctrl-C stops it)", flush=True)
            stop.wait()
    except PortInUseError as error:
        sys.exit(f"error: {error}: pick another port, or stop what is using it")
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
