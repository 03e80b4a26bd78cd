"""Fixtures for the Terraform plan tests.

One moto server and one ``terraform init`` per session; every scenario is a ``terraform plan``
of ``fixture/`` (the module with a real AWS provider pointed at moto) turned into JSON with
``terraform show -json``. The scenarios plan in parallel to keep the whole layer short.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixture"
ACCOUNT = "123456789012"  # moto's default account
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"

TASK = "arn:aws:dms:us-east-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T"
SUPPORTED_MAX_TASKS = 100


def task_arns(count: int, partition: str = "aws", region: str = "us-east-1") -> list[str]:
    """Realistic task ARNs: 26-character upper-case identifiers like the ones DMS generates."""
    return [f"arn:{partition}:dms:{region}:{ACCOUNT}:task:T{i:025d}" for i in range(count)]


SCENARIOS: dict[str, dict[str, Any]] = {
    # The module creates its own KMS key, alarms and dashboard (the defaults).
    "default": {
        "replication_task_arns": [TASK],
        "notification_emails": ["ops@example.com"],
        "permissions_boundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
        "iam_path": "/dms-recovery/",
    },
    # The caller's own KMS key.
    "maximum": {
        "name": "orders-" + "x" * 100,
        "replication_task_arns": task_arns(SUPPORTED_MAX_TASKS),
        "kms_key_arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}",
        "tracing_enabled": True,
        "non_recoverable_patterns": ["(?i)truncat", "Error 1236"],
    },
    # China partition, notifying an existing topic.
    "china": {
        "region": "cn-north-1",
        "replication_task_arns": task_arns(3, "aws-cn", "cn-north-1"),
        "existing_sns_topic_arn": f"arn:aws-cn:sns:cn-north-1:{ACCOUNT}:platform-alerts",
        # The caller's key, said explicitly; no alarms and no dashboard.
        "kms_key_arn": f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{KEY_ID}",
        "create_kms_key": False,
        "create_alarms": False,
        "create_dashboard": False,
    },
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# moto's server lacks ValidateStateMachineDefinition, which the AWS provider calls while it plans
# an aws_sfn_state_machine, and ListStateMachineVersions, which it calls on read and destroy (it
# retries HTTP 500s for minutes). The server runs in its own process with the first answered
# "OK" (the tests check the definition themselves) and the second "no versions" (the module
# publishes none).
MOTO_SERVER = """
import sys
from moto.server import main
from moto.stepfunctions.responses import StepFunctionResponse

def validate_state_machine_definition(self):
    return '{"result": "OK", "diagnostics": []}'

def list_state_machine_versions(self):
    return '{"stateMachineVersions": []}'

StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
"""


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto server on loopback; during a plan the provider only calls STS and SFN."""
    pytest.importorskip("moto.server")
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", MOTO_SERVER, str(port)], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/moto-api/")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform: offline mirror when TF_PLUGIN_MIRROR is set, own data dir."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_DATA_DIR": str(tmp_path_factory.mktemp("tf-data")),
    }
    mirror = os.environ.get("TF_PLUGIN_MIRROR")
    if mirror and not os.environ.get("TF_CLI_CONFIG_FILE"):
        rc = tmp_path_factory.mktemp("tf-cli") / "terraformrc"
        rc.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path = "{mirror}"\n'
            '    include = ["registry.terraform.io/*/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
        )
        env["TF_CLI_CONFIG_FILE"] = str(rc)
    return env


def run_terraform(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        ["terraform", f"-chdir={FIXTURE}", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"terraform {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc.stdout


@pytest.fixture(scope="session")
def initialised(terraform_env: dict[str, str]) -> dict[str, str]:
    """The environment of a ``fixture/`` initialised once per session."""
    run_terraform(["init", "-backend=false", "-input=false", "-no-color"], terraform_env)
    return terraform_env


@pytest.fixture(scope="session")
def plans(
    moto_endpoint: str, initialised: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """``terraform show -json`` of every scenario's plan, by scenario name."""
    workdir = tmp_path_factory.mktemp("plans")

    def plan(name: str) -> dict[str, Any]:
        var_file = workdir / f"{name}.tfvars.json"
        var_file.write_text(json.dumps({"endpoint": moto_endpoint, **SCENARIOS[name]}))
        plan_file = workdir / f"{name}.tfplan"
        run_terraform(
            [
                "plan",
                "-input=false",
                "-lock=false",
                "-no-color",
                f"-var-file={var_file}",
                f"-out={plan_file}",
            ],
            initialised,
        )
        return dict(json.loads(run_terraform(["show", "-json", str(plan_file)], initialised)))

    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        results = dict(zip(SCENARIOS, pool.map(plan, SCENARIOS), strict=True))
    return results
