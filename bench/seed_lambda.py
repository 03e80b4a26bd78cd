"""The seed's "完善任务arn" (complete the task ARN) Lambda, as the 2023 write-up shows it.

It wraps the task ARN in a list so the next DescribeReplicationTasks can pass it as a filter's
``Values``. Kept as written (names included); only the curly quotes are made straight.
"""

import json
from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ReplicationTaskArn = []  # noqa: N806 - the seed's spelling
    ReplicationTaskArn.append(event["ReplicationTaskArn"])
    return {
        "Status": event["Status"],
        "ReplicationTaskArn": ReplicationTaskArn,
        "statusCode": 200,
        "body": json.dumps("Here is to convert the resource arn to array!"),
    }
