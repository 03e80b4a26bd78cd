"""Run a state machine on corrected moto against the fake DMS, DynamoDB, SNS and the decider.

:func:`local_aws` is the one-stop entry point (virtual clock + corrected moto + fake DMS)::

    with local_aws(scale=50) as env:
        task = env.dms.create_task("orders-cdc")
        env.dms.set_failed(task)
        topic = env.create_topic()
        table = env.create_lease_table()
        decider = env.create_decider_function()          # runs dms_recovery.handler in-process
        machine = env.create_state_machine(definition)   # ASL string or dict
        result = env.run(machine, {"taskArn": task}, timeout=60)
        assert result.status == "SUCCEEDED" and env.dms.restarts(task) == 1
        print(result.state_transitions, result.notifications)
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
from moto.sns.models import sns_backends

from harness.clock import VirtualClock
from harness.fake_dms import DmsCall, FakeDms
from harness.moto_corrections import (
    ACCOUNT_ID,
    REGION,
    LambdaHandler,
    corrected_moto,
    register_lambda_handler,
)

DEFAULT_TOPIC = "dms-recovery-notifications"
DEFAULT_TABLE = "dms-recovery-leases"
DEFAULT_FUNCTION = "dms-recovery-decider"
DEFAULT_MACHINE = "dms-recovery"
DECIDER_HANDLER = "dms_recovery.handler.lambda_handler"
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


def load_handler(dotted: str = DECIDER_HANDLER) -> LambdaHandler:
    """Import ``package.module.function`` and return the function."""
    module_name, _, attr = dotted.rpartition(".")
    handler: LambdaHandler = getattr(importlib.import_module(module_name), attr)
    return handler


@dataclass(frozen=True)
class Notification:
    """One message published to an SNS topic."""

    topic_arn: str
    message_id: str
    subject: str | None
    message: str


@dataclass
class ExecutionResult:
    """How an execution ended, with everything a test or the benchmark counts."""

    execution_arn: str
    status: str
    output: Any
    error: str | None
    cause: str | None
    events: list[dict[str, Any]]
    dms_calls: list[DmsCall]
    notifications: list[Notification] = field(default_factory=list)
    real_seconds: float = 0.0

    @property
    def state_transitions(self) -> int:
        """Number of states entered (``*StateEntered`` events)."""
        return sum(1 for e in self.events if str(e["type"]).endswith("StateEntered"))

    def states_entered(self) -> list[str]:
        """Names of the states entered, in order."""
        return [
            str(e["stateEnteredEventDetails"]["name"])
            for e in self.events
            if str(e["type"]).endswith("StateEntered")
        ]

    def events_of(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == event_type]

    def task_failures(self) -> list[tuple[str, str]]:
        """(error, cause) of every TaskFailed event, e.g. caught SDK errors."""
        return [
            (
                str(e["taskFailedEventDetails"].get("error", "")),
                str(e["taskFailedEventDetails"].get("cause", "")),
            )
            for e in self.events_of("TaskFailed")
        ]

    def lambda_outputs(self) -> list[Any]:
        """Payloads returned by ``lambda:invoke`` tasks (the decider's decisions), in order."""
        outputs = []
        for e in self.events_of("TaskSucceeded"):
            details = e["taskSucceededEventDetails"]
            if details.get("resourceType") == "lambda":
                outputs.append(json.loads(details["output"]).get("Payload"))
        return outputs


class WorkflowEnv:
    """Creates the moto resources the recovery state machine needs and runs executions."""

    def __init__(
        self,
        dms: FakeDms,
        *,
        clock: VirtualClock | None = None,
        region: str = REGION,
        account_id: str = ACCOUNT_ID,
        endpoint_url: str | None = None,
    ) -> None:
        self.dms = dms
        self.clock = clock or dms.clock
        self.region = region
        self.account_id = account_id
        self.endpoint_url = endpoint_url
        self._topics: list[str] = []
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` (cached: clients are thread-safe, creating them in
        several threads at once is not)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(
                    service, region_name=self.region, endpoint_url=self.endpoint_url
                )
            return self._clients[service]

    def role_arn(self, name: str = "dms-recovery") -> str:
        """An IAM role (created on first use) for the state machine and the function."""
        iam = self.client("iam")
        with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Statement": []}))
        return f"arn:aws:iam::{self.account_id}:role/{name}"

    # ------------------------------------------------------------------ SNS

    def create_topic(self, name: str = DEFAULT_TOPIC) -> str:
        arn = str(self.client("sns").create_topic(Name=name)["TopicArn"])
        self._topics.append(arn)
        return arn

    def notifications(self, topic_arn: str | None = None) -> list[Notification]:
        """Every message published so far (to ``topic_arn``, or to every topic made here)."""
        backend = sns_backends[self.account_id][self.region]
        arns = [topic_arn] if topic_arn else self._topics
        out: list[Notification] = []
        for arn in arns:
            topic = backend.topics.get(arn)
            if topic is None:
                continue
            for message_id, message, subject, _attrs, _group in topic.sent_notifications:
                out.append(Notification(arn, message_id, subject, message))
        return out

    # ------------------------------------------------------------------ DynamoDB

    def create_lease_table(self, name: str = DEFAULT_TABLE) -> str:
        """The lease table: hash key ``task_arn`` (S), on-demand, TTL on ``expires_at``."""
        ddb = self.client("dynamodb")
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "task_arn", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "task_arn", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
        )
        return name

    def lease(self, task_arn: str, table: str = DEFAULT_TABLE) -> dict[str, Any] | None:
        """The raw (DynamoDB-typed) lease item of a task, or None."""
        item = self.client("dynamodb").get_item(
            TableName=table, Key={"task_arn": {"S": task_arn}}, ConsistentRead=True
        )
        found: dict[str, Any] | None = item.get("Item")
        return found

    # ------------------------------------------------------------------ Lambda

    def create_decider_function(
        self,
        name: str = DEFAULT_FUNCTION,
        handler: LambdaHandler | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> str:
        """A Lambda function whose invocations run ``handler`` (default: the real decider)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("placeholder.py", "# code runs in-process in the harness\n")
        response = self.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=self.role_arn(),
            Handler=DECIDER_HANDLER,
            Code={"ZipFile": buffer.getvalue()},
            Environment={"Variables": dict(environment or {})},
        )
        register_lambda_handler(name, handler or _EnvHandler(dict(environment or {})))
        return str(response["FunctionArn"])

    # ------------------------------------------------------------------ Step Functions

    def create_state_machine(
        self, definition: str | Mapping[str, Any], name: str = DEFAULT_MACHINE
    ) -> str:
        body = definition if isinstance(definition, str) else json.dumps(definition)
        response = self.client("stepfunctions").create_state_machine(
            name=name, definition=body, roleArn=self.role_arn(), type="STANDARD"
        )
        return str(response["stateMachineArn"])

    def start(self, state_machine_arn: str, payload: Any = None, name: str | None = None) -> str:
        body = (
            payload if isinstance(payload, str) else json.dumps({} if payload is None else payload)
        )
        response = self.client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn,
            name=name or f"exec-{uuid.uuid4().hex[:12]}",
            input=body,
        )
        return str(response["executionArn"])

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        paginator = self.client("stepfunctions").get_paginator("get_execution_history")
        events: list[dict[str, Any]] = []
        for page in paginator.paginate(executionArn=execution_arn):
            events.extend(page["events"])
        return events

    def wait(
        self, execution_arn: str, timeout: float = 60.0, poll: float = 0.02
    ) -> ExecutionResult:
        """Wait (real seconds) for the execution to end; TimeoutError if it does not."""
        sfn = self.client("stepfunctions")
        started = time.monotonic()
        deadline = started + timeout
        while True:
            described = sfn.describe_execution(executionArn=execution_arn)
            if described["status"] in TERMINAL:
                break
            if time.monotonic() > deadline:
                sfn.stop_execution(executionArn=execution_arn, cause="harness timeout")
                raise TimeoutError(
                    f"{execution_arn} still RUNNING after {timeout}s; "
                    f"states so far: {self._entered(execution_arn)[-20:]}"
                )
            time.sleep(poll)
        output_text = described.get("output")
        return ExecutionResult(
            execution_arn=execution_arn,
            status=str(described["status"]),
            output=_parse_output(output_text),
            error=described.get("error"),
            cause=described.get("cause"),
            events=self.history(execution_arn),
            dms_calls=list(self.dms.calls),
            notifications=self.notifications(),
            real_seconds=time.monotonic() - started,
        )

    def _entered(self, execution_arn: str) -> list[str]:
        return [
            str(e["stateEnteredEventDetails"]["name"])
            for e in self.history(execution_arn)
            if str(e["type"]).endswith("StateEntered")
        ]

    def run(
        self, state_machine_arn: str, payload: Any = None, timeout: float = 60.0
    ) -> ExecutionResult:
        """Start an execution and wait for it to end."""
        return self.wait(self.start(state_machine_arn, payload), timeout=timeout)


def _parse_output(text: str | None) -> Any:
    """The execution output as JSON. moto 5.2.5 returns a bare string output unquoted
    (``gone`` where AWS returns ``"gone"``): such an output is returned as the string."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


_ENVIRONMENT_LOCK = threading.Lock()


class _EnvHandler:
    """The real decider, run with the function's environment variables set around each call.

    The environment is process-wide, so calls are serialised: on AWS each invocation has its own
    environment, and concurrent executions must not see each other's half-restored variables.
    """

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment

    def __call__(self, event: Any, context: Any) -> Any:
        with _ENVIRONMENT_LOCK:
            return self._call(event, context)

    def _call(self, event: Any, context: Any) -> Any:
        saved = {key: os.environ.get(key) for key in self.environment}
        os.environ.update(self.environment)
        try:
            return load_handler()(event, context)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@contextlib.contextmanager
def local_aws(
    scale: float = 1.0,
    *,
    clock: VirtualClock | None = None,
    decider: LambdaHandler | None = None,
    starting_seconds: float = 10.0,
) -> Iterator[WorkflowEnv]:
    """Virtual clock + corrected moto + fake DMS, as one :class:`WorkflowEnv`."""
    clock = clock or VirtualClock(scale=scale)
    with (
        clock.activate(),
        corrected_moto(decider=decider),
        FakeDms(clock, starting_seconds=starting_seconds) as dms,
    ):
        yield WorkflowEnv(dms, clock=clock)
