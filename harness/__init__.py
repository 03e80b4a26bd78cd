"""Test harness for dms-auto-recovery: corrected moto, virtual clock, fake DMS, workflow runner.

- :mod:`harness.moto_corrections`: every moto 5.2.5 correction, ``corrected_moto()`` for tests
  and ``prepare_server_process()`` for a moto server launcher;
- :mod:`harness.clock`: ``VirtualClock`` (scaled time for waits, retries, the decider, fake DMS);
- :mod:`harness.fake_dms`: ``FakeDms``, the scriptable DMS fault injector and call log;
- :mod:`harness.workflow`: ``local_aws()`` / ``WorkflowEnv`` to create the resources, run an
  execution and get an ``ExecutionResult``.
"""

from harness.clock import VirtualClock, active_clock
from harness.fake_dms import DmsCall, FakeDms, StartFailure
from harness.moto_corrections import (
    CORRECTION_NAMES,
    OBSERVED_ERROR_NAMES,
    apply_all,
    corrected_moto,
    prepare_server_process,
    register_lambda_handler,
)
from harness.workflow import ExecutionResult, Notification, WorkflowEnv, local_aws

__all__ = [
    "CORRECTION_NAMES",
    "OBSERVED_ERROR_NAMES",
    "DmsCall",
    "ExecutionResult",
    "FakeDms",
    "Notification",
    "StartFailure",
    "VirtualClock",
    "WorkflowEnv",
    "active_clock",
    "apply_all",
    "corrected_moto",
    "local_aws",
    "prepare_server_process",
    "register_lambda_handler",
]
