"""Every correction of moto 5.2.5 that the recovery workflow needs, in one place.

Each correction is a small function that patches one moto class or module, says in its docstring
which AWS behaviour it restores, and returns an *undo* callable. They are applied together:

- in-process, by the context manager :func:`corrected_moto`, which also enters
  ``mock_aws(config=MOTO_CONFIG)``;
- in a moto *server* process, by calling :func:`apply_all` before the server starts serving
  (a launcher imports this module, calls ``apply_all()`` and then runs
  ``moto.server.ThreadedMotoServer`` or ``moto.server.main``). All patches are class/module level,
  so they hold in whatever thread moto handles a request.

Besides the corrections proper, the module holds the two *hooks* the rest of the harness plugs into
(they change nothing until something registers with them):

- DMS call hooks (:func:`add_dms_hook`): every DMS API request passes through registered hooks
  before and after moto handles it; :mod:`harness.fake_dms` uses them for its call log,
  throttling and scripted task transitions;
- Lambda handlers (:func:`register_lambda_handler`): Python callables that ``lambda:invoke``
  runs in-process instead of moto's echo.

Error names are *not* corrected (see :data:`OBSERVED_ERROR_NAMES`): moto's spellings differ from
AWS's, but the product's Retry/Catch lists name both, so no correction is needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol, cast

from jsonpath_ng import jsonpath as jp
from jsonpath_ng.ext.parser import parse
from moto import mock_aws
from moto.awslambda_simple import models as lambda_simple_models
from moto.core import config as moto_config
from moto.core.exceptions import JsonRESTError
from moto.dms import exceptions as dms_exceptions
from moto.dms import models as dms_models
from moto.dms import responses as dms_responses
from moto.dynamodb.models import DynamoDBBackend
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.program import program as program_mod
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk as sdk,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import (
    timestamp as ts_mod,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import (
    wait_function as wf_mod,
)
from moto.stepfunctions.parser.asl.utils import json_path as jp_mod
from moto.stepfunctions.parser.utils import TMP_THREADS
from moto.stepfunctions.responses import StepFunctionResponse
from werkzeug.exceptions import HTTPException

from harness.clock import active_clock

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}

Undo = Callable[[], None]
LambdaHandler = Callable[[Any, Any], Any]

# What moto 5.2.5 reports for failed integrations (pinned by tests/harness/test_moto_corrections),
# next to what AWS is documented / believed to report. Retry/Catch lists must name both.
OBSERVED_ERROR_NAMES: dict[str, dict[str, str]] = {
    "dms ResourceNotFoundFault via aws-sdk:databasemigration": {
        "moto": "databasemigration.ResourceNotFoundFaultException",
        "aws": "DatabaseMigration.ResourceNotFoundException",
    },
    "dms InvalidResourceStateFault via aws-sdk:databasemigration": {
        "moto": "databasemigration.InvalidResourceStateFaultException",
        "aws": "DatabaseMigration.InvalidResourceStateException",
    },
    "dms ThrottlingException via aws-sdk:databasemigration": {
        "moto": "databasemigration.databasemigrationException",
        "aws": "DatabaseMigration.DatabaseMigrationException (unverified)",
    },
    "dynamodb ConditionalCheckFailedException via dynamodb:updateItem": {
        "moto": "DynamoDB.ConditionalCheckFailedException",
        "aws": "DynamoDB.ConditionalCheckFailedException",
    },
}


# --------------------------------------------------------------------------------------------
# small patching helpers
# --------------------------------------------------------------------------------------------


def _patch(owner: Any, name: str, value: Any) -> Undo:
    """Set ``owner.name = value``; the undo restores the previous attribute (or deletes it)."""
    missing = object()
    original = owner.__dict__.get(name, missing) if hasattr(owner, "__dict__") else missing
    setattr(owner, name, value)

    def undo() -> None:
        if original is missing:
            with contextlib.suppress(AttributeError):
                delattr(owner, name)
        else:
            setattr(owner, name, original)

    return undo


def _chain(undos: Iterable[Undo]) -> Undo:
    ordered = list(undos)

    def undo() -> None:
        for step in reversed(ordered):
            step()

    return undo


# --------------------------------------------------------------------------------------------
# a. aws-sdk service name "databasemigration"
# --------------------------------------------------------------------------------------------


def sdk_service_name_databasemigration() -> Undo:
    """AWS: ``arn:aws:states:::aws-sdk:databasemigration:<action>`` calls the DMS API.

    The SDK-integration name of DMS is ``databasemigration`` (the service id "Database Migration
    Service" without spaces) while boto3 calls the client ``dms``. moto's interpreter passes the
    integration name straight to ``boto3.client`` and fails with ``States.Runtime`` "Unknown
    service: 'databasemigration'". The error *names* keep the integration's spelling
    (``databasemigration.<Name>Exception``), as moto already derives them from the ARN.
    """
    overrides = state_task_service.StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES
    had = "databasemigration" in overrides
    previous = overrides.get("databasemigration")
    overrides["databasemigration"] = "dms"  # type: ignore[index,unused-ignore]

    def undo() -> None:
        if had:
            overrides["databasemigration"] = str(previous)  # type: ignore[index,unused-ignore]
        else:
            overrides.pop("databasemigration", None)  # type: ignore[attr-defined,unused-ignore]

    return undo


# --------------------------------------------------------------------------------------------
# b. JSONPath: a definite path returns the value
# --------------------------------------------------------------------------------------------


def _is_definite(expr: Any) -> bool:
    """True when a parsed JSONPath can match at most one node (no wildcard/slice/filter/..)."""
    kind = type(expr)
    if kind in (jp.Root, jp.This):
        return True
    if kind is jp.Fields:
        return len(expr.fields) == 1 and expr.fields[0] != "*"
    if kind is jp.Index:
        return len(expr.indices) == 1
    if kind is jp.Child:
        return _is_definite(expr.left) and _is_definite(expr.right)
    return False


def _extract_json_aws(path: str, data: Any) -> Any:
    """``extract_json`` with AWS (Jayway) semantics: definite path -> value, else a list."""
    expr = parse(path)
    matches = expr.find(data)
    if not matches:
        if jp_mod._contains_slice_or_wildcard_array(path):
            return []
        raise jp_mod.NoSuchJsonPathError(json_path=path, data=data)
    if _is_definite(expr):
        return matches[0].value
    return [match.value for match in matches]


_EXTRACT_JSON_USERS = (
    "moto.stepfunctions.parser.asl.utils.json_path",
    "moto.stepfunctions.parser.asl.eval.states",
    "moto.stepfunctions.parser.asl.component.intrinsic.argument.argument",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.timestamp_operators",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.boolean_equals",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.numeric",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.string_operators",
)


def jsonpath_definite_path_returns_value() -> Undo:
    """AWS: ``$.List[0].Field`` (a definite path) yields the value of Field, not ``[value]``.

    moto 5.2.5 wraps the match in a list whenever the matched node's parent was reached through
    an index (its fix for getmoto/moto#7825), so ``$.ReplicationTasks[0].Status`` gives
    ``["failed"]`` in Parameters, ResultSelector, Choice variables, SecondsPath and intrinsic
    function arguments. AWS returns a single value for every definite path (only fields and
    single indexes) and a list for indefinite ones (``[*]``, slices, filters, ``..``), which is
    what this replacement of ``extract_json`` does in every module that imported it.
    """
    original = jp_mod.extract_json
    undos: list[Undo] = []
    for name in _EXTRACT_JSON_USERS:
        importlib.import_module(name)
    for name, module in list(sys.modules.items()):
        if (
            name.startswith("moto.stepfunctions.parser")
            and module is not None
            and getattr(module, "extract_json", None) is original
        ):
            undos.append(_patch(module, "extract_json", _extract_json_aws))
    return _chain(undos)


# --------------------------------------------------------------------------------------------
# c. dates in SDK-integration output
# --------------------------------------------------------------------------------------------


def _iso8601(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def jsonable(value: Any) -> Any:
    """Copy ``value`` with every datetime/date turned into an ISO-8601 UTC string."""
    if isinstance(value, dt.datetime):
        return _iso8601(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def sdk_integration_dates_as_strings() -> Undo:
    """AWS: an aws-sdk integration's result is JSON; timestamps arrive as ISO-8601 strings.

    moto hands the boto3 response (with ``datetime`` objects, e.g. DMS
    ``ReplicationTaskCreationDate``) to the state output unchanged; ``DescribeExecution`` and
    ``GetExecutionHistory`` then fail with "Object of type datetime is not JSON serializable" as
    soon as a date reaches the execution output. The result is converted to strings of the form
    ``2026-11-30T03:14:05.000Z`` before any ResultSelector/ResultPath sees it.
    """
    cls = sdk.StateTaskServiceAwsSdk
    original = cls._eval_service_task

    def _eval_service_task(self: Any, env: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, env, *args, **kwargs)
        if env.stack:
            env.stack[-1] = jsonable(env.stack[-1])
        return result

    return _patch(cls, "_eval_service_task", _eval_service_task)


# --------------------------------------------------------------------------------------------
# c. DMS task model: lifecycle, start type, StopReason / LastFailureMessage, not-found filters
# --------------------------------------------------------------------------------------------


class DmsHook(Protocol):
    """What :mod:`harness.fake_dms` plugs into the DMS request path."""

    def before_dms_call(self, operation: str, params: dict[str, Any]) -> None:
        """Called before moto handles a request; may raise a moto JsonRESTError."""

    def after_dms_call(
        self, operation: str, params: dict[str, Any], status: int, error_code: str | None
    ) -> None:
        """Called with the HTTP status and the error code (None on success)."""

    def on_task_started(self, task: Any, start_type: str) -> bool:
        """A task was just started; return True to take over its later transitions."""


_DMS_HOOKS: list[DmsHook] = []
# Requests whose User-Agent carries this marker (the harness's own setup calls) skip the hooks.
HARNESS_USER_AGENT = "dms-recovery-harness-setup"
STARTABLE_TASK_STATUSES = frozenset({"ready", "stopped", "failed", "failed-move"})
START_TYPES = frozenset({"start-replication", "resume-processing", "reload-target"})


def add_dms_hook(hook: DmsHook) -> Undo:
    """Route every DMS request through ``hook``; the undo removes it."""
    _DMS_HOOKS.append(hook)

    def undo() -> None:
        with contextlib.suppress(ValueError):
            _DMS_HOOKS.remove(hook)

    return undo


def _drop_none(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue
        out[key] = _drop_none(item) if isinstance(item, dict) else item
    return out


def _virtual_utc() -> dt.datetime:
    return active_clock().now_datetime()


def advance_task(task: Any) -> None:
    """Apply a task's pending one-step transition (what the next Describe shows)."""
    pending = getattr(task, "pending_status", None)
    if pending is not None:
        task.status = pending
        task.pending_status = None


def dms_task_lifecycle() -> Undo:
    """AWS: a DMS task is ``creating`` then ``ready``; a start goes ``starting`` then ``running``.

    moto leaves a created task in ``creating`` forever (StartReplicationTask on it then behaves as
    if it were ready) and jumps a started task straight to ``running``. Here a created task is
    ``creating`` in the CreateReplicationTask response and ``ready`` from the next Describe on; a
    started task is ``starting`` in the StartReplicationTask response and ``running`` from the
    next Describe on (unless a DMS hook, e.g. the fake DMS, takes over its timing). Dates come
    from the virtual clock.
    """
    task_cls = dms_models.FakeReplicationTask
    backend_cls = dms_models.DatabaseMigrationServiceBackend
    original_init = task_cls.__init__
    original_create = backend_cls.create_replication_task

    def task_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.creation_date = _virtual_utc()
        self.pending_status = None
        self.stop_reason = None
        self.last_failure_message = None
        self.start_type = None
        self.fresh_start_date = None
        self.ever_started = False

    def create_replication_task(self: Any, *args: Any, **kwargs: Any) -> Any:
        task = original_create(self, *args, **kwargs)
        task.status = "creating"
        task.pending_status = "ready"  # type: ignore[attr-defined,unused-ignore]
        return task

    return _chain(
        [
            _patch(task_cls, "__init__", task_init),
            _patch(backend_cls, "create_replication_task", create_replication_task),
        ]
    )


def dms_task_description_fields() -> Undo:
    """AWS: a described task carries StopReason / LastFailureMessage and omits unset fields.

    moto's task has neither ``StopReason`` nor ``LastFailureMessage`` (the fields the recovery
    decision rests on), returns ``null`` for dates that are unset where AWS omits the key (which
    matters to Choice ``IsPresent``), and ignores ``WithoutSettings`` (AWS then leaves out
    ``TableMappings`` and ``ReplicationTaskSettings``, the fields that can exceed 256 KiB).
    """
    task_cls = dms_models.FakeReplicationTask
    resp_cls = dms_responses.DatabaseMigrationServiceResponse
    original_to_dict = task_cls.to_dict
    original_describe = resp_cls.describe_replication_tasks

    def to_dict(self: Any) -> dict[str, Any]:
        data = original_to_dict(self)
        fresh = getattr(self, "fresh_start_date", None)
        stats = data.get("ReplicationTaskStats", {})
        stats["FreshStartDate"] = fresh.isoformat() if fresh else None
        stats["FullLoadStartDate"] = stats["FreshStartDate"]
        data["StopReason"] = getattr(self, "stop_reason", None)
        data["LastFailureMessage"] = getattr(self, "last_failure_message", None)
        if getattr(self, "without_settings", False):
            data.pop("TableMappings", None)
            data.pop("ReplicationTaskSettings", None)
        return _drop_none(data)

    def describe_replication_tasks(self: Any) -> str:
        without = bool(self._get_param("WithoutSettings", False))
        backend = self.dms_backend
        for task in backend.replication_tasks.values():
            task.without_settings = without
        try:
            return str(original_describe(self))
        finally:
            for task in backend.replication_tasks.values():
                task.without_settings = False

    return _chain(
        [
            _patch(task_cls, "to_dict", to_dict),
            _patch(resp_cls, "describe_replication_tasks", describe_replication_tasks),
        ]
    )


def dms_describe_tasks_not_found() -> Undo:
    """AWS: DescribeReplicationTasks whose filters match nothing raises ResourceNotFoundFault.

    moto returns ``{"ReplicationTasks": []}``; AWS answers HTTP 400 ``ResourceNotFoundFault``
    ("No Tasks found matching provided filters"), which is how a deleted task shows up to a
    workflow that always filters by the task ARN. Describe also applies pending transitions.
    """
    backend_cls = dms_models.DatabaseMigrationServiceBackend
    original = backend_cls.describe_replication_tasks

    def describe_replication_tasks(self: Any, filters: Any, max_records: int) -> Any:
        for task in self.replication_tasks.values():
            advance_task(task)
        tasks = list(original(self, filters, max_records))
        if not tasks:
            raise dms_exceptions.ResourceNotFoundFault("No Tasks found matching provided filters")
        return tasks

    return _patch(backend_cls, "describe_replication_tasks", describe_replication_tasks)


def dms_start_honours_start_type() -> Undo:
    """AWS: StartReplicationTask validates state, instance and ``StartReplicationTaskType``.

    moto ignores the start type and starts a task in any state. AWS raises
    ``InvalidResourceStateFault`` when the task is not ``ready``/``stopped``/``failed``, when
    ``resume-processing`` is asked of a task that never ran ("only available for previously
    executed tasks"), and when the replication instance is not ``available``; it raises
    ``ResourceNotFoundFault`` for an unknown task. ``start-replication`` and ``reload-target``
    load the tables afresh (a new FreshStartDate); ``resume-processing`` keeps them.
    StopReason / LastFailureMessage keep describing the previous stop until the next one.
    """
    resp_cls = dms_responses.DatabaseMigrationServiceResponse
    backend_cls = dms_models.DatabaseMigrationServiceBackend

    def start_task(self: Any, replication_task_arn: str, start_type: str | None = None) -> Any:
        task = self.replication_tasks.get(replication_task_arn)
        if task is None:
            raise dms_exceptions.ResourceNotFoundFault("Replication task could not be found.")
        if start_type not in START_TYPES:
            raise JsonRESTError(
                "InvalidParameterValueException",
                f"Invalid StartReplicationTaskType: {start_type}",
            )
        advance_task(task)
        if task.status not in STARTABLE_TASK_STATUSES:
            raise dms_exceptions.InvalidResourceStateFault(
                f"Replication task is in state {task.status} and cannot be started"
            )
        if start_type == "resume-processing" and not getattr(task, "ever_started", False):
            raise dms_exceptions.InvalidResourceStateFault(
                "Start type resume-processing is only available for previously executed tasks"
            )
        instance = self.replication_instances.get(task.replication_instance_arn)
        if instance is not None and instance.status != "available":
            raise dms_exceptions.InvalidResourceStateFault(
                f"Replication instance is in state {instance.status}; it must be available"
            )
        now = _virtual_utc()
        task.status = "starting"
        task.start_type = start_type
        task.start_date = now
        task.ever_started = True
        if start_type != "resume-processing" or getattr(task, "fresh_start_date", None) is None:
            task.fresh_start_date = now
        task.pending_status = "running"
        for hook in list(_DMS_HOOKS):
            if hook.on_task_started(task, start_type):
                task.pending_status = None
        return task

    def start_replication_task(self: Any) -> str:
        task = self.dms_backend.start_replication_task(
            replication_task_arn=self._get_param("ReplicationTaskArn"),
            start_type=self._get_param("StartReplicationTaskType"),
        )
        return json.dumps({"ReplicationTask": task.to_dict()})

    return _chain(
        [
            _patch(backend_cls, "start_replication_task", start_task),
            _patch(resp_cls, "start_replication_task", start_replication_task),
        ]
    )


def _error_code(body: Any) -> str | None:
    try:
        parsed = json.loads(body)
    except (TypeError, ValueError):
        return None
    if isinstance(parsed, dict):
        code = parsed.get("__type")
        return str(code).rpartition("#")[2] if code else None
    return None


def dms_request_hooks() -> Undo:
    """Injection point (no AWS behaviour of its own): DMS requests pass through the hooks.

    With no hook registered nothing changes; nor for requests whose User-Agent contains
    :data:`HARNESS_USER_AGENT` (the harness's own setup calls). A hook's ``before_dms_call``
    may raise a moto ``JsonRESTError`` (e.g. ``ThrottlingException``, HTTP 400 as AWS sends
    it); it becomes the response exactly as if moto's handler had raised it.
    """
    resp_cls = dms_responses.DatabaseMigrationServiceResponse
    original = resp_cls.call_action

    def call_action(self: Any) -> Any:
        user_agent = str(self.headers.get("User-Agent", "")) if self.headers else ""
        if not _DMS_HOOKS or HARNESS_USER_AGENT in user_agent:
            return original(self)
        operation = self._get_action()
        try:
            params = json.loads(self.body or "{}")
        except ValueError:
            params = {}
        try:
            for hook in list(_DMS_HOOKS):
                hook.before_dms_call(operation, params)
        except HTTPException as error:
            headers: dict[str, Any] = dict(error.get_headers() or [])
            headers["status"] = error.code
            status, out_headers, body = self._transform_response(
                self.response_headers, (error.description, headers)
            )
            out_headers, body = self._enrich_response(out_headers, body)
            result = (status, out_headers, body)
        else:
            result = original(self)
        status = int(result[0])
        code = _error_code(result[2]) if status >= 400 else None
        for hook in list(_DMS_HOOKS):
            hook.after_dms_call(operation, params, status, code)
        return result

    return _patch(resp_cls, "call_action", call_action)


# --------------------------------------------------------------------------------------------
# e. Lambda: run a Python handler in-process
# --------------------------------------------------------------------------------------------

_LAMBDA_HANDLERS: dict[str, LambdaHandler] = {}
_DEFAULT_HANDLER: list[LambdaHandler] = []


def register_lambda_handler(function_name: str, handler: LambdaHandler) -> Undo:
    """Run ``handler(event, context)`` when Lambda function ``function_name`` is invoked."""
    previous = _LAMBDA_HANDLERS.get(function_name)
    _LAMBDA_HANDLERS[function_name] = handler

    def undo() -> None:
        if previous is None:
            _LAMBDA_HANDLERS.pop(function_name, None)
        else:
            _LAMBDA_HANDLERS[function_name] = previous

    return undo


def set_default_lambda_handler(handler: LambdaHandler) -> Undo:
    """Run ``handler`` for every function that has no handler of its own."""
    _DEFAULT_HANDLER.insert(0, handler)

    def undo() -> None:
        with contextlib.suppress(ValueError):
            _DEFAULT_HANDLER.remove(handler)

    return undo


def _lambda_context(function: Any, function_name: str) -> SimpleNamespace:
    request_id = str(uuid.uuid4())
    arn = getattr(function, "function_arn", function_name)
    return SimpleNamespace(
        function_name=getattr(function, "function_name", function_name),
        function_version="$LATEST",
        invoked_function_arn=arn,
        memory_limit_in_mb=getattr(function, "memory_size", 128),
        aws_request_id=request_id,
        log_group_name=f"/aws/lambda/{function_name}",
        log_stream_name="harness",
        get_remaining_time_in_millis=lambda: 60_000,
    )


def lambda_invoke_runs_python_handler() -> Undo:
    """AWS: invoking a function runs its code; an unhandled exception is a *function error*.

    moto's Docker-less Lambda (``use_docker: False``) echoes the payload. With this correction a
    handler registered for the function name (or the default handler) runs in-process with the
    decoded JSON event and a context object; its JSON result is the payload. If it raises, the
    response is what AWS sends: HTTP 200, header ``X-Amz-Function-Error: Unhandled`` and payload
    ``{"errorMessage", "errorType", "requestId", "stackTrace"}``. moto's Step Functions
    interpreter (like AWS for ``arn:aws:states:::lambda:invoke``) then fails the task with the
    error name ``errorType`` (e.g. ``ValueError``) and the payload as cause, so Catch
    ``States.TaskFailed``/``States.ALL`` or the Python exception name works. Invoking a function
    that was never created raises ``ResourceNotFoundException`` as AWS does
    (``Lambda.ResourceNotFoundException`` in the workflow).
    """
    cls = lambda_simple_models.LambdaSimpleBackend
    original = cls.invoke

    def invoke(
        self: Any,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: Any,
    ) -> str | bytes | None:
        name = function_name.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]
        handler = _LAMBDA_HANDLERS.get(name) or (_DEFAULT_HANDLER[0] if _DEFAULT_HANDLER else None)
        if handler is None:
            return original(self, function_name, qualifier, body, headers, response_headers)
        function = self.get_function(function_name, qualifier)  # raises ResourceNotFound
        raw = body.decode() if isinstance(body, bytes) else (body or "")
        event = json.loads(raw) if raw.strip() else {}
        context = _lambda_context(function, name)
        try:
            result = handler(event, context)
        except Exception as error:
            response_headers["x-amz-function-error"] = "Unhandled"
            payload = {
                "errorMessage": str(error),
                "errorType": type(error).__name__,
                "requestId": context.aws_request_id,
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            return json.dumps(payload).encode()
        return json.dumps(jsonable(result)).encode()

    return _patch(cls, "invoke", invoke)


# --------------------------------------------------------------------------------------------
# virtual clock: waits and retry backoff
# --------------------------------------------------------------------------------------------


def wait_states_follow_virtual_clock() -> Undo:
    """AWS: a Wait state lasts its Seconds/SecondsPath, or until its Timestamp.

    Not a moto defect but a harness need: under :class:`harness.clock.VirtualClock` a wait of N
    virtual seconds lasts ``N / scale`` real seconds (interruptible when the execution stops), and
    ``Timestamp``/``TimestampPath`` waits are measured against the virtual now. moto's own
    Timestamp wait also compares an aware UTC instant with the naive *local* time, which is
    wrong outside UTC; this computes the delta in epoch seconds.
    """

    def _wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
        clock = active_clock()
        deadline = clock.now() + max(0.0, float(wait_seconds))
        while env.is_running():
            remaining = deadline - clock.now()
            if remaining <= 0:
                return
            env.program_state_event.wait(min(clock.real_seconds(remaining), 1.0))

    def _get_wait_seconds(self: Any, env: Any) -> float:
        self.string.eval(env=env)
        timestamp_str: str = env.stack.pop()
        timestamp = self._from_timestamp_string(timestamp=timestamp_str)
        if timestamp is None:
            raise FailureEventException(self._create_failure_event(env, timestamp_str))
        target = timestamp.replace(tzinfo=dt.UTC).timestamp()
        return max(0.0, float(target) - active_clock().now())

    return _chain(
        [
            _patch(wf_mod.WaitFunction, "_wait_interval", _wait_interval),
            _patch(ts_mod.Timestamp, "_get_wait_seconds", _get_wait_seconds),
        ]
    )


class _ScaledTime:
    """Stand-in for the ``time`` module inside moto's retrier: sleeps in virtual seconds."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        active_clock().sleep(seconds)


def retry_backoff_follows_virtual_clock() -> Undo:
    """AWS: a Retry waits IntervalSeconds * BackoffRate^n (capped, jittered) between attempts.

    moto computes the interval correctly (MaxDelaySeconds and JitterStrategy FULL included) and
    sleeps it with ``time.sleep``; under a virtual clock the sleep lasts ``interval / scale`` real
    seconds.
    """
    return _patch(retrier_decl, "time", _ScaledTime())


def execution_timeout_follows_virtual_clock() -> Undo:
    """AWS: a state machine's top-level ``TimeoutSeconds`` ends the execution as TIMED_OUT.

    moto implements it as a real-time ``join(timeout)`` on the interpreter thread; under the
    virtual clock the join lasts ``TimeoutSeconds / scale`` real seconds, so the backstop
    fires at the same virtual instant as on AWS. (Like AWS, a timed-out execution runs no
    Catch.)
    """

    def program_eval(self: Any, env: Any) -> None:
        timeout = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None
        env.next_state_name = self.start_at.start_at_name
        worker = threading.Thread(
            target=super(program_mod.Program, self).eval, args=(env,), daemon=True
        )
        TMP_THREADS.append(worker)
        worker.start()
        worker.join(timeout=None if timeout is None else active_clock().real_seconds(timeout))
        if worker.is_alive():
            env.set_timed_out()

    return _patch(program_mod.Program, "eval", program_eval)


# --------------------------------------------------------------------------------------------
# DynamoDB
# --------------------------------------------------------------------------------------------

_DYNAMODB_WRITE_LOCK = threading.RLock()
_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item")


def dynamodb_conditional_writes_are_atomic() -> Undo:
    """A conditional write checks its condition and writes in one step, as AWS DynamoDB does.

    moto reads the item, evaluates the ConditionExpression and writes without a lock, so two
    Step Functions executions (each runs in its own thread) can both pass
    ``attribute_not_exists(...)`` and both take the same lease. Real DynamoDB serialises writes
    to one item: exactly one conditional writer wins.
    """

    def serialised(original: Callable[..., Any]) -> Callable[..., Any]:
        def write(self: Any, *args: Any, **kwargs: Any) -> Any:
            with _DYNAMODB_WRITE_LOCK:
                return original(self, *args, **kwargs)

        return write

    return _chain(
        _patch(DynamoDBBackend, name, serialised(getattr(DynamoDBBackend, name)))
        for name in _DYNAMODB_WRITES
    )


# --------------------------------------------------------------------------------------------
# registry and entry points
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    name: str
    apply: Callable[[], Undo]

    @property
    def doc(self) -> str:
        return (self.apply.__doc__ or "").strip()


CORRECTIONS: tuple[Correction, ...] = tuple(
    Correction(fn.__name__, fn)
    for fn in (
        sdk_service_name_databasemigration,
        jsonpath_definite_path_returns_value,
        sdk_integration_dates_as_strings,
        dms_task_lifecycle,
        dms_task_description_fields,
        dms_describe_tasks_not_found,
        dms_start_honours_start_type,
        dms_request_hooks,
        lambda_invoke_runs_python_handler,
        wait_states_follow_virtual_clock,
        retry_backoff_follows_virtual_clock,
        execution_timeout_follows_virtual_clock,
        dynamodb_conditional_writes_are_atomic,
    )
)
CORRECTION_NAMES = tuple(c.name for c in CORRECTIONS)


def apply_all(exclude: Iterable[str] = ()) -> Undo:
    """Apply every correction (except the names in ``exclude``); return one undo for all.

    Usable in a moto server process: call it once before serving.
    """
    skip = set(exclude)
    unknown = skip - set(CORRECTION_NAMES)
    if unknown:
        raise ValueError(f"unknown corrections: {sorted(unknown)}")
    undos: list[Undo] = []
    try:
        for correction in CORRECTIONS:
            if correction.name not in skip:
                undos.append(correction.apply())
    except Exception:
        _chain(undos)()
        raise
    return _chain(undos)


def prepare_server_process(
    decider: LambdaHandler | None = None, *, exclude: Iterable[str] = ()
) -> Undo:
    """Make this process's moto *server* behave like :func:`corrected_moto`.

    For a launcher that runs ``moto.server.ThreadedMotoServer`` (or ``moto_server``) in this
    process: enables state-machine execution and Docker-less Lambda in moto's user config,
    applies every correction and registers ``decider`` as the default Lambda handler. The
    interpreter reaches the other services through ``http://localhost:$MOTO_PORT``, so set
    ``MOTO_PORT`` to the server's port before executions start.
    """
    user_config = cast(dict[str, Any], moto_config.default_user_config)
    previous = {key: user_config.get(key) for key in MOTO_CONFIG}
    for key, value in MOTO_CONFIG.items():
        merged = dict(previous[key] or {})
        merged.update(value)
        user_config[key] = merged
    undos: list[Undo] = [apply_all(exclude=exclude)]
    if decider is not None:
        undos.append(set_default_lambda_handler(decider))

    def restore_config() -> None:
        for key, value in previous.items():
            if value is None:
                user_config.pop(key, None)
            else:
                user_config[key] = value

    return _chain([restore_config, *undos])


@contextlib.contextmanager
def corrected_moto(
    decider: LambdaHandler | None = None,
    *,
    handlers: Mapping[str, LambdaHandler] | None = None,
    exclude: Iterable[str] = (),
    config: Mapping[str, Any] | None = None,
) -> Iterator[None]:
    """``mock_aws`` with Step Functions execution, Docker-less Lambda and every correction.

    ``decider`` runs for every Lambda function without a handler of its own in ``handlers``
    (function name -> ``handler(event, context)``). ``exclude`` names corrections to leave out
    (the tests use it to show what moto does without one).
    """
    merged: dict[str, Any] = {key: dict(value) for key, value in MOTO_CONFIG.items()}
    for key, value in (config or {}).items():
        merged.setdefault(key, {}).update(value)
    undos: list[Undo] = []
    saved_handlers = dict(_LAMBDA_HANDLERS)

    def restore_handlers() -> None:
        _LAMBDA_HANDLERS.clear()
        _LAMBDA_HANDLERS.update(saved_handlers)

    undos.append(restore_handlers)
    with mock_aws(config=merged):  # type: ignore[call-overload,unused-ignore]
        undos.append(apply_all(exclude=exclude))
        try:
            if decider is not None:
                undos.append(set_default_lambda_handler(decider))
            for name, handler in (handlers or {}).items():
                undos.append(register_lambda_handler(name, handler))
            yield
        finally:
            _chain(undos)()


def describe_corrections() -> str:
    """A readable list of the corrections and what each restores (for docs and reports)."""
    lines = []
    for correction in CORRECTIONS:
        first = correction.doc.splitlines()[0] if correction.doc else ""
        lines.append(f"- {correction.name}: {first}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# server-only corrections: what the Terraform AWS provider needs of a moto *server*
# --------------------------------------------------------------------------------------------

_ASL_TOP_LEVEL_FIELDS = frozenset(
    {
        "Comment",
        "StartAt",
        "States",
        "TimeoutSeconds",
        "Version",
        "QueryLanguage",
    }
)


def _asl_diagnostics(definition: Any) -> list[dict[str, str]]:
    """The structural problems ValidateStateMachineDefinition reports as ERROR diagnostics."""
    try:
        document = json.loads(definition) if isinstance(definition, str) else None
    except ValueError as error:
        return [{"severity": "ERROR", "code": "INVALID_JSON_DESCRIPTION", "message": str(error)}]
    if not isinstance(document, dict):
        return [
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "The definition must be a JSON object",
            }
        ]
    problems: list[dict[str, str]] = []
    states = document.get("States")
    if not isinstance(states, dict) or not states:
        problems.append(
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "These fields are required: [States]",
                "location": "/",
            }
        )
    start = document.get("StartAt")
    if not isinstance(start, str):
        problems.append(
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "These fields are required: [StartAt]",
                "location": "/",
            }
        )
    elif isinstance(states, dict) and start not in states:
        problems.append(
            {
                "severity": "ERROR",
                "code": "MISSING_TRANSITION_TARGET",
                "message": f"Missing 'Next' target: {start}",
                "location": "/StartAt",
            }
        )
    for field_name in sorted(set(document) - _ASL_TOP_LEVEL_FIELDS):
        problems.append(
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": f"Field {field_name} is not supported",
                "location": f"/{field_name}",
            }
        )
    return problems


def sfn_validate_state_machine_definition() -> Undo:
    """AWS: ``ValidateStateMachineDefinition`` answers ``{"result": "OK"|"FAIL", "diagnostics"}``.

    moto 5.2.5's server has no such action and answers HTTP 500; the AWS provider calls it while
    it plans and applies an ``aws_sfn_state_machine`` and retries the 500s for minutes. AWS never
    fails the call for a bad definition: it returns ``FAIL`` with ERROR diagnostics (invalid JSON,
    missing ``StartAt``/``States``, a ``StartAt`` naming no state, an unknown top-level field).
    This answers the same for those structural checks (the full ASL semantics are statelint's
    job in this project's tests) and ``OK`` with no diagnostics otherwise.
    """

    def validate_state_machine_definition(self: Any) -> str:
        problems = _asl_diagnostics(self._get_param("definition"))
        return json.dumps(
            {
                "result": "FAIL" if problems else "OK",
                "diagnostics": problems,
                "truncated": False,
            }
        )

    return _patch(
        StepFunctionResponse, "validate_state_machine_definition", validate_state_machine_definition
    )


def sfn_list_state_machine_versions() -> Undo:
    """AWS: ``ListStateMachineVersions`` lists a machine's published versions, newest first.

    moto 5.2.5 keeps published versions on the state machine but its server has no such action
    (HTTP 500, which the AWS provider retries for minutes when it reads or deletes an
    ``aws_sfn_state_machine``). The answer is ``{"stateMachineVersions": [{"stateMachineVersionArn",
    "creationDate"}]}`` (empty when nothing was published); an unknown machine raises
    ``StateMachineDoesNotExist`` as AWS does.
    """

    def list_state_machine_versions(self: Any) -> str:
        machine = self.stepfunction_backend.describe_state_machine(
            self._get_param("stateMachineArn")
        )
        versions = sorted(
            getattr(machine, "versions", {}).items(), key=lambda item: item[0], reverse=True
        )
        return json.dumps(
            {
                "stateMachineVersions": [
                    {
                        "stateMachineVersionArn": version.arn,
                        "creationDate": jsonable(version.creation_date),
                    }
                    for _, version in versions
                ]
            }
        )

    return _patch(StepFunctionResponse, "list_state_machine_versions", list_state_machine_versions)


def iam_aws_managed_policies_exist() -> Undo:
    """AWS: every account sees the AWS managed policies (``arn:aws:iam::aws:policy/...``).

    moto only loads them when ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` is set before its IAM
    backend is created; without it, reading or attaching a managed policy (e.g. one named as a
    permissions boundary) fails with NoSuchEntity. This sets the variable (the undo restores it);
    apply it before the first IAM request.
    """
    key = "MOTO_IAM_LOAD_MANAGED_POLICIES"
    previous = os.environ.get(key)
    os.environ[key] = "true"

    def undo() -> None:
        if previous is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = previous

    return undo


SERVER_CORRECTIONS: tuple[Correction, ...] = tuple(
    Correction(fn.__name__, fn)
    for fn in (
        sfn_validate_state_machine_definition,
        sfn_list_state_machine_versions,
        iam_aws_managed_policies_exist,
    )
)
SERVER_CORRECTION_NAMES = tuple(c.name for c in SERVER_CORRECTIONS)


def apply_server_corrections(exclude: Iterable[str] = ()) -> Undo:
    """Apply the corrections a moto *server* needs for the Terraform AWS provider (plan, apply,
    destroy), on top of :func:`prepare_server_process`; return one undo for all."""
    skip = set(exclude)
    unknown = skip - set(SERVER_CORRECTION_NAMES)
    if unknown:
        raise ValueError(f"unknown server corrections: {sorted(unknown)}")
    undos: list[Undo] = []
    try:
        for correction in SERVER_CORRECTIONS:
            if correction.name not in skip:
                undos.append(correction.apply())
    except Exception:
        _chain(undos)()
        raise
    return _chain(undos)
