"""One apply and destroy of the module against the local moto server (opt-in: about three
minutes, most of it the AWS provider waiting for SQS attributes that moto reports late).

Run with ``DMS_RECOVERY_APPLY_TESTS=1 .venv/bin/python -m pytest tests/terraform/test_tf_apply.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from conftest import TASK, run_terraform

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(
        os.environ.get("DMS_RECOVERY_APPLY_TESTS") != "1",
        reason="opt-in (slow): set DMS_RECOVERY_APPLY_TESTS=1",
    ),
]


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_apply_then_destroy(
    moto_endpoint: str, initialised: dict[str, str], tmp_path: Path
) -> None:
    # given
    var_file = tmp_path / "apply.tfvars.json"
    var_file.write_text(
        json.dumps(
            {
                "endpoint": moto_endpoint,
                "name": "applied",
                "replication_task_arns": [TASK],
                "notification_emails": ["ops@example.com"],
            }
        )
    )
    state = tmp_path / "terraform.tfstate"
    args = [
        "-auto-approve",
        "-input=false",
        "-no-color",
        f"-state={state}",
        f"-var-file={var_file}",
    ]

    # when
    run_terraform(["apply", *args], initialised)

    # then
    sfn = client("stepfunctions", moto_endpoint)
    machine = sfn.describe_state_machine(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:applied-recovery"
    )
    assert TASK in machine["definition"]
    events = client("events", moto_endpoint)
    targets = events.list_targets_by_rule(Rule="applied-task-state-00")["Targets"]
    assert {t["Id"] for t in targets} == {"recovery-state-machine", "readable-alert"}
    table = client("dynamodb", moto_endpoint).describe_table(TableName="applied-lease")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "task_arn", "KeyType": "HASH"}]

    # when
    run_terraform(["destroy", *args], initialised)

    # then
    assert sfn.list_state_machines()["stateMachines"] == []
    assert events.list_rules(NamePrefix="applied-")["Rules"] == []
