"""End to end: ``examples/local`` applied by Terraform on the local moto server, one recovery
through the deployed rule, state machine, Lambda package and IAM wiring, then destroy.

Plus the launcher's and the demo command's behaviour on bad input (no Terraform needed).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest
from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]
from moto.sns.models import sns_backends

from demo.eventbridge import EventBridge
from demo.scenarios import dms_event
from demo.terraform import Terraform, find_terraform
from harness.clock import VirtualClock
from harness.fake_dms import FakeDms
from harness.local_server import LocalAws, PortInUseError, load_packaged_decider
from harness.moto_corrections import ACCOUNT_ID, HARNESS_USER_AGENT, REGION

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "local"
PACKAGE = REPO / "dist" / "lambda.zip"
SCALE = 20.0  # the module's waits in examples/local (30-60 s) pass in 2-3 s


@pytest.fixture
def local_aws() -> Iterator[tuple[LocalAws, FakeDms, VirtualClock, Path]]:
    """The corrected server with the packaged decider, a virtual clock and the fake DMS."""
    decider = load_packaged_decider(PACKAGE)
    clock = VirtualClock(scale=SCALE)
    try:
        with (
            clock.activate(),
            LocalAws(decider=decider.handler) as aws,
            FakeDms(clock, endpoint_url=aws.url) as dms,
        ):
            yield aws, dms, clock, decider.module_file
    finally:
        decider.cleanup()


def started_task(dms: FakeDms, url: str) -> str:
    dms.create_instance("e2e-instance")
    task = dms.create_task("orders-cdc")
    boto3.client(
        "dms",
        region_name=REGION,
        endpoint_url=url,
        config=Config(user_agent_extra=HARNESS_USER_AGENT),
    ).start_replication_task(ReplicationTaskArn=task, StartReplicationTaskType="start-replication")
    dms.set_running(task)  # skip the ``starting`` seconds the fake DMS scripts for a start
    return task


@pytest.mark.terraform
def test_apply_recover_destroy(
    local_aws: tuple[LocalAws, FakeDms, VirtualClock, Path], tmp_path: Path
) -> None:
    try:
        find_terraform()
    except Exception:
        pytest.skip("terraform is not on PATH")
    aws, dms, clock, decider_file = local_aws
    task = started_task(dms, aws.url)
    terraform = Terraform(
        EXAMPLE, tmp_path / "tf", {"endpoint": aws.url, "replication_task_arn": task}
    )
    client = {
        name: boto3.client(name, region_name=REGION, endpoint_url=aws.url)
        for name in ("events", "stepfunctions", "sns", "iam", "lambda", "dynamodb")
    }
    terraform.init()
    try:
        # given the module applied for the task
        terraform.apply()
        outputs = terraform.outputs()
        changes, plan = terraform.plan_has_changes()
        assert not changes, f"the plan after apply is not empty:\n{plan[-3000:]}"
        machine = str(outputs["state_machine_arn"])
        assert_wiring(client, outputs, machine)

        # when the task fails and DMS's event goes through the deployed rule
        dms.set_failed(task)
        event = dms_event(
            task, "REPLICATION_TASK_FAILED", "Stop Reason RECOVERABLE_ERROR", at=clock.now()
        )
        deliveries = EventBridge(client["events"], client["stepfunctions"], client["sns"]).deliver(
            event
        )
        executions = [d.execution_arn for d in deliveries if d.execution_arn]
        assert [d.service for d in deliveries].count("sns") == 1  # the readable alert
        assert len(executions) == 1
        assert executions[0].startswith(machine.replace(":stateMachine:", ":execution:"))
        described = wait_for(client["stepfunctions"], executions[0], timeout=90)

        # then the deployed state machine restarted it once, the packaged decider confirmed it,
        # a person was told, and the lease is released
        assert described["status"] == "SUCCEEDED", described
        assert dms.restarts(task) == 1
        assert dms.start_types(task) == ["resume-processing"]
        assert dms.status(task) == "running"
        assert PACKAGE.name not in str(decider_file) and "dms-recovery-lambda-" in str(decider_file)
        subjects = published_subjects(str(outputs["sns_topic_arn"]))
        assert "DMS auto-recovery: recovered orders-cdc (recovered)" in subjects
        lease = client["dynamodb"].get_item(
            TableName=outputs["lease_table_name"], Key={"task_arn": {"S": task}}
        )["Item"]
        assert "lease_owner" not in lease
        assert len(lease["recent_restarts"]["L"]) == 1
    finally:
        terraform.destroy()
    # and destroy leaves nothing behind
    assert not terraform.has_resources()
    assert client["stepfunctions"].list_state_machines()["stateMachines"] == []
    assert client["events"].list_rules()["Rules"] == []
    assert client["lambda"].list_functions()["Functions"] == []


def assert_wiring(client: dict[str, Any], outputs: dict[str, Any], machine: str) -> None:
    """The rule targets the machine through a role that may start exactly that machine; the
    decider got the module's configuration."""
    (rule,) = outputs["event_rule_names"]
    targets = {t["Id"]: t for t in client["events"].list_targets_by_rule(Rule=rule)["Targets"]}
    target = targets["recovery-state-machine"]
    assert target["Arn"] == machine
    role = target["RoleArn"].rsplit("/", 1)[-1]
    (policy_name,) = client["iam"].list_role_policies(RoleName=role)["PolicyNames"]
    document = client["iam"].get_role_policy(RoleName=role, PolicyName=policy_name)[
        "PolicyDocument"
    ]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"] == [
        {
            "Sid": "StartRecovery",
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": machine,
        }
    ]
    environment = client["lambda"].get_function_configuration(
        FunctionName=outputs["lambda_function_name"]
    )["Environment"]["Variables"]
    assert environment["MAX_ATTEMPTS"] == "3"
    assert environment["STABLE_SECONDS"] == "60"


def wait_for(sfn: Any, execution_arn: str, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            sfn.stop_execution(executionArn=execution_arn)
            raise TimeoutError(f"{execution_arn} still running after {timeout} s")
        time.sleep(0.1)


def published_subjects(topic_arn: str) -> list[str]:
    topic = sns_backends[ACCOUNT_ID][REGION].topics[topic_arn]
    return [
        subject for _id, _message, subject, _attrs, _group in topic.sent_notifications if subject
    ]


# ---------------------------------------------------------------- launcher and command


def test_a_port_in_use_is_refused_and_nothing_stays_applied() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(PortInUseError, match=f"port {port}"):
            LocalAws(port).start()
    assert "MOTO_PORT" not in os.environ or os.environ.get("MOTO_PORT") != str(port)


def test_the_server_stops_cleanly() -> None:
    server = LocalAws()
    url = server.start()
    sns = boto3.client("sns", region_name=REGION, endpoint_url=url)
    assert sns.list_topics()["Topics"] == []
    server.stop()
    assert not any(t.name == "moto-server" and t.is_alive() for t in threading.enumerate())
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(url.rsplit(":", 1)[1]))) != 0


def run_demo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "demo", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_unknown_scenario_is_a_one_line_error() -> None:
    line = one_line_error(run_demo("--scenario", "meteor-strike"))
    assert "unknown scenario 'meteor-strike'" in line
    assert "transient-outage" in line


def test_a_missing_terraform_is_a_one_line_error() -> None:
    line = one_line_error(run_demo(env={"PATH": str(Path(sys.executable).parent)}))
    assert "terraform is not on PATH" in line


def test_a_port_in_use_is_a_one_line_error() -> None:
    try:
        find_terraform()
    except Exception:
        pytest.skip("terraform is not on PATH (checked before the port)")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line_error(run_demo("--port", str(port)))
    assert f"port {port}" in line and "another --port" in line
