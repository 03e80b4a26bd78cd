"""``python -m demo``: deploy the module on a local moto server, stage an incident, watch it.

Steps: start a corrected moto server in this process; create a replication instance, endpoints
and a task with boto3 and start it; ``terraform apply`` examples/local for that task; stage the
scenario's fault; deliver the DMS event the way EventBridge would; follow the execution; print
the notifications and a verdict; ``terraform destroy``; stop the server. Exit status 0 only when
the scenario ended as expected.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import boto3  # type: ignore[import-untyped,unused-ignore]
from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]
from moto.sns.models import sns_backends

from demo.eventbridge import EventBridge
from demo.scenarios import DEFAULT_SCENARIO, SCENARIOS, Outcome, Scenario
from demo.terraform import Terraform, TerraformError, TerraformNotFoundError, find_terraform
from demo.timeline import Timeline
from harness.clock import VirtualClock
from harness.fake_dms import FakeDms
from harness.local_server import LocalAws, PortInUseError, load_packaged_decider
from harness.moto_corrections import ACCOUNT_ID, HARNESS_USER_AGENT, REGION

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "local"
PACKAGE = REPO / "dist" / "lambda.zip"
WORK = REPO / "build" / "demo"
# 1 real second = 10 virtual seconds: the module's waits (tens of seconds) pass in seconds.
DEFAULT_SCALE = 10.0
TASK_IDENTIFIER = "orders-cdc"
EXECUTION_TIMEOUT = 240.0  # real seconds


class DemoError(Exception):
    """A problem the person running the demo can fix; printed as one line."""


@dataclass
class Options:
    scenario: Scenario
    port: int
    scale: float


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description="Deploy dms-auto-recovery on a local moto server and watch it handle a DMS "
        "incident.",
    )
    parser.add_argument(
        "--scenario",
        default=os.environ.get("SCENARIO") or DEFAULT_SCENARIO,
        help=f"one of: {', '.join(SCENARIOS)} (default: {DEFAULT_SCENARIO})",
    )
    parser.add_argument("--port", default="0", help="loopback port of the server (0: a free one)")
    parser.add_argument(
        "--scale",
        default=str(DEFAULT_SCALE),
        help=f"virtual seconds per real second (default: {DEFAULT_SCALE:g})",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.list:
        for listed in SCENARIOS.values():
            print(f"{listed.name:<18} {listed.title}")
        raise SystemExit(0)
    scenario = SCENARIOS.get(str(args.scenario).strip())
    if scenario is None:
        raise DemoError(
            f"unknown scenario {args.scenario!r}: choose one of {', '.join(SCENARIOS)} "
            f"(e.g. make demo SCENARIO={DEFAULT_SCENARIO})"
        )
    try:
        port = int(args.port)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        raise DemoError(
            f"--port must be a number from 0 to 65535 (0 picks a free port), not {args.port!r}"
        ) from None
    try:
        scale = float(args.scale)
        if not 1 <= scale <= 1000:
            raise ValueError
    except ValueError:
        raise DemoError(f"--scale must be a number from 1 to 1000, not {args.scale!r}") from None
    return Options(scenario, port, scale)


class Printer:
    """Section titles and indented lines; a live progress line on a terminal."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.live = out.isatty()
        self.started = time.monotonic()
        self._status = False

    def elapsed(self) -> str:
        return f"{time.monotonic() - self.started:5.1f}s"

    def section(self, title: str) -> None:
        self.line("")
        self.line(f"== {title}")

    def line(self, text: str = "") -> None:
        if self._status:
            self.out.write("\r\033[2K")
            self._status = False
        print(text, file=self.out, flush=True)

    def progress(self, text: str) -> None:
        if self.live:
            self.out.write("\r\033[2K  " + text)
            self.out.flush()
            self._status = True


class TerraformProgress:
    """Turns terraform's output into one progress line: resources done, seconds elapsed."""

    def __init__(self, printer: Printer, verb: str, done_marker: str) -> None:
        self.printer = printer
        self.verb = verb
        self.done_marker = done_marker
        self.done = 0
        self.started = time.monotonic()
        self.last_report = self.started

    def __call__(self, line: str) -> None:
        if self.done_marker in line:
            self.done += 1
        now = time.monotonic()
        text = f"terraform {self.verb}: {self.done} resources, {now - self.started:.0f} s"
        if "Still " in line and not self.printer.live and now - self.last_report >= 10:
            self.printer.line("  " + text + " (the AWS provider waits for SQS attributes)")
            self.last_report = now
        self.printer.progress(text)


def setup_task(dms: FakeDms, url: str) -> str:
    """A replication instance, two endpoints and a started full-load-and-cdc task; its ARN."""
    dms.create_instance("demo-instance")
    task = dms.create_task(TASK_IDENTIFIER)
    client = boto3.client(
        "dms",
        region_name=REGION,
        endpoint_url=url,
        config=Config(user_agent_extra=HARNESS_USER_AGENT),  # setup calls: not logged as restarts
    )
    client.start_replication_task(
        ReplicationTaskArn=task, StartReplicationTaskType="start-replication"
    )
    if dms.status(task) != "running":  # starting -> running on the next look
        dms.set_running(task)
    return task


def notifications(topic_arn: str) -> list[tuple[str | None, str]]:
    """(subject, message) of every message published to the topic, oldest first."""
    topic = sns_backends[ACCOUNT_ID][REGION].topics.get(topic_arn)
    if topic is None:
        return []
    return [
        (subject, message) for _id, message, subject, _attrs, _group in topic.sent_notifications
    ]


def print_notifications(printer: Printer, notes: list[tuple[str | None, str]]) -> None:
    for index, (subject, message) in enumerate(notes, 1):
        printer.line(f"  --- message {index} of {len(notes)} " + "-" * 60)
        printer.line(f"  Subject: {subject or '(none: the EventBridge readable alert)'}")
        printer.line("")
        for text in message.splitlines():
            printer.line(f"    {text}")
    if notes:
        printer.line("  " + "-" * 78)
    else:
        printer.line("  (none)")


def run(options: Options, printer: Printer) -> bool:
    """The whole demo; True when the scenario ended as expected."""
    scenario = options.scenario
    find_terraform()
    if not PACKAGE.is_file():
        raise DemoError(f"{PACKAGE.relative_to(REPO)} is missing: run `make build` first")
    printer.line(f"dms-auto-recovery demo, scenario {scenario.name}: {scenario.title}")
    printer.line(f"  {scenario.story}")

    decider = load_packaged_decider(PACKAGE)
    clock = VirtualClock(scale=options.scale)
    try:
        with (
            clock.activate(),
            LocalAws(options.port, decider=decider.handler) as aws,
            FakeDms(clock, endpoint_url=aws.url) as dms,
        ):
            demo = Demo(scenario, printer, clock, aws.url, dms)
            printer.section("Local AWS")
            printer.line(
                f"  moto server on {aws.url}, in this process, with the harness's corrections"
            )
            printer.line(
                f"  decider: the packaged code of {PACKAGE.relative_to(REPO)}, "
                f"imported from {decider.module_file.parent.parent}"
            )
            printer.line(f"  virtual clock: 1 s real = {options.scale:g} s")
            try:
                problems = demo.play()
            except KeyboardInterrupt:
                printer.line("")
                printer.line("Interrupted: cleaning up (terraform destroy, then the server) ...")
                raise
            finally:
                demo.clean_up()
    finally:
        decider.cleanup()
    apply_s, destroy_s = demo.timings.get("apply", 0.0), demo.timings.get("destroy", 0.0)
    timings = f"terraform apply {apply_s:.0f} s, destroy {destroy_s:.0f} s"
    printer.line("")
    if problems:
        printer.line(f"VERDICT: UNEXPECTED ({scenario.name}): {'; '.join(problems)}")
        printer.line(f"  ({printer.elapsed().strip()} in all: {timings})")
        return False
    printer.line(f"VERDICT: {scenario.verdict}")
    printer.line(f"  ({printer.elapsed().strip()} in all: {timings})")
    return True


class Demo:
    """One run against a started server; :meth:`clean_up` destroys whatever was applied."""

    def __init__(
        self, scenario: Scenario, printer: Printer, clock: VirtualClock, url: str, dms: FakeDms
    ) -> None:
        self.scenario = scenario
        self.printer = printer
        self.clock = clock
        self.url = url
        self.dms = dms
        self.clients = {
            name: boto3.client(name, region_name=REGION, endpoint_url=url)
            for name in ("events", "stepfunctions", "sns")
        }
        self.terraform: Terraform | None = None
        self.execution_arn: str | None = None
        self.timings: dict[str, float] = {}

    def play(self) -> list[str]:
        """Set up, apply, stage, deliver, follow; the differences from the expected outcome."""
        printer, scenario, dms = self.printer, self.scenario, self.dms
        task = setup_task(dms, self.url)
        printer.line(f"  DMS task {task}: {dms.status(task)}")

        printer.section(f"terraform apply {EXAMPLE.relative_to(REPO)}")
        self.terraform = Terraform(
            EXAMPLE, WORK / scenario.name, {"endpoint": self.url, "replication_task_arn": task}
        )
        if self.terraform.state.exists():
            self.terraform.state.unlink()  # the server is new on every run: old state means nothing
        self.terraform.log_path.write_text("")
        started = time.monotonic()
        self.terraform.init()
        self.terraform.apply(on_line=TerraformProgress(printer, "apply", "Creation complete"))
        self.timings["apply"] = time.monotonic() - started
        outputs = self.terraform.outputs()
        printer.line(f"  applied in {self.timings['apply']:.0f} s")
        printer.line(f"  state machine {outputs['state_machine_arn']}")
        printer.line(f"  decider function {outputs['lambda_function_name']}")
        printer.line(f"  lease table {outputs['lease_table_name']}")

        printer.section(f"Incident: {scenario.title}")
        scenario.stage(dms, task)
        event_at = self.clock.now()
        event = scenario.event(task, event_at)
        printer.line(f"  the task is now {dms.status(task)}; DMS emits {scenario.event_type}")
        bridge = EventBridge(
            self.clients["events"], self.clients["stepfunctions"], self.clients["sns"]
        )
        matching = bridge.matching_rules(event)
        if not matching:
            raise DemoError("no EventBridge rule matches the DMS event: check the module's pattern")
        for rule in matching:
            printer.line(f"  rule {rule['Name']} matches the event (pattern read from the server)")
        deliveries = bridge.deliver(event)
        for delivery in deliveries:
            what = (
                f"StartExecution {delivery.execution_arn.rsplit(':', 1)[-1]}"
                if delivery.execution_arn
                else "Publish (the readable alert)"
            )
            printer.line(f"  -> target {delivery.target_id}: {what}")
        executions = [d.execution_arn for d in deliveries if d.execution_arn]
        if len(executions) != 1:
            raise DemoError(f"expected one state machine target, found {len(executions)}")
        self.execution_arn = executions[0]

        printer.section("Timeline (virtual time since the event)")
        timeline = Timeline(
            self.clients["stepfunctions"], dms, self.clock, task, event_at, out=printer.out
        )
        timeline.header()
        described = timeline.follow(self.execution_arn, timeout=EXECUTION_TIMEOUT)
        self.execution_arn = None  # it ended: nothing to stop

        topic = str(outputs["sns_topic_arn"])
        notes = notifications(topic)
        printer.section(f"Notifications on {topic.rsplit(':', 1)[-1]}, as a person reads them")
        print_notifications(printer, notes)

        outcome = Outcome(
            execution_status=str(described["status"]),
            restarts=dms.restarts(task),
            task_status=dms.status(task),
            subjects=[s for s, _ in notes if s],
            error=described.get("error"),
        )
        return outcome.problems(scenario.expected)

    def clean_up(self) -> None:
        """Stop a running execution, destroy what was applied (also after a failure)."""
        if self.execution_arn is not None:
            with contextlib.suppress(Exception):
                self.clients["stepfunctions"].stop_execution(
                    executionArn=self.execution_arn, cause="demo interrupted"
                )
            self.execution_arn = None
        terraform, self.terraform = self.terraform, None
        if terraform is None or not terraform.has_resources():
            return
        self.printer.section("terraform destroy")
        started = time.monotonic()
        terraform.destroy(
            on_line=TerraformProgress(self.printer, "destroy", "Destruction complete")
        )
        self.timings["destroy"] = time.monotonic() - started
        self.printer.line(f"  destroyed in {self.timings['destroy']:.0f} s; stopping the server")


def main(argv: list[str] | None = None) -> None:
    printer = Printer()
    try:
        options = parse_args(argv)
        ok = run(options, printer)
    except TerraformNotFoundError as error:
        sys.exit(f"error: {error}")
    except PortInUseError as error:
        sys.exit(f"error: {error}: pass another --port (or 0 for a free one), or stop what uses it")
    except DemoError as error:
        sys.exit(f"error: {error}")
    except TerraformError as error:
        hint = ""
        if "registry.terraform.io" in str(error) and not os.environ.get("TF_PLUGIN_MIRROR"):
            hint = (
                "\nhint: no route to the Terraform registry; set TF_PLUGIN_MIRROR to a filesystem "
                "mirror of hashicorp/aws (e.g. make demo TF_PLUGIN_MIRROR=/opt/tf-plugins)"
            )
        sys.exit(f"error: {error}{hint}")
    except KeyboardInterrupt:
        print(
            "interrupted; the local server and everything deployed on it are gone", file=sys.stderr
        )
        sys.exit(130)
    sys.exit(0 if ok else 1)
