"""Create the media bucket if it does not exist (the compose file runs this once, before the
app starts). Reads the same S3_* variables as config/settings.py. The bucket stays private:
no policy or ACL is set, so only presigned URLs open its objects."""

from __future__ import annotations

import os
import sys
import time

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError


def main() -> int:
    bucket = os.environ.get("S3_BUCKET", "")
    if not bucket:
        sys.stderr.write("create_bucket: S3_BUCKET is not set\n")
        return 2
    client = boto3.client(
        "s3",
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("S3_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("S3_ACCESS_KEY_ID"),
        aws_secret_access_key=os.environ.get("S3_SECRET_ACCESS_KEY"),
    )
    for _ in range(60):  # SeaweedFS answers S3 some seconds after it starts
        try:
            client.head_bucket(Bucket=bucket)
            sys.stdout.write(f"create_bucket: {bucket} exists\n")
            return 0
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchBucket", "NotFound"}:
                client.create_bucket(Bucket=bucket)
                sys.stdout.write(f"create_bucket: created {bucket}\n")
                return 0
            error = exc
        except EndpointConnectionError as exc:
            error = exc  # type: ignore[assignment]
        time.sleep(2)
    sys.stderr.write(f"create_bucket: the store did not answer: {error}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
