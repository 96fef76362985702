"""An S3-compatible server on loopback for the shared-cache tests, and a fresh bucket per test.

`.ci/run` starts one (`moto_server -H 127.0.0.1 -p 5000`) and names it in `$FULLCAST_TEST_S3`; without it, a
moto server runs in a thread of the test process on a free port. The tests read and damage the bucket with
boto3, a different client from the s3fs that fullcast uses.
Use with `from support.s3 import bucket_fixture, s3_server_fixture`: pytest finds fixtures imported into a
test module, by their names `bucket` and `s3_server`.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Iterator

import pytest

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "fullcast-test", "AWS_SECRET_ACCESS_KEY": "fullcast-test-secret"}
"""moto accepts any credentials; these keep a developer's real ones out of the tests."""


@dataclass(frozen=True)
class Bucket:
    """A bucket made for one test, with a boto3 client to look inside it."""

    name: str
    """The bucket's name (unique per test)."""
    endpoint: str
    """The server's URL, e.g. http://127.0.0.1:5000."""
    client: object
    """A boto3 S3 client for that server."""

    def url(self, prefix: str = "cache") -> str:
        """The `--cache` URL of *prefix* in this bucket."""
        return f"s3://{self.name}/{prefix}"

    def keys(self) -> list[str]:
        """Every key in the bucket, sorted."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        """The object at *key*."""
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def write(self, key: str, data: bytes) -> None:
        """Put *data* at *key*."""
        self.client.put_object(Bucket=self.name, Key=key, Body=data)


@pytest.fixture(scope="session", name="s3_server")
def s3_server_fixture() -> Iterator[str]:
    """The URL of an S3-compatible server: `$FULLCAST_TEST_S3`, else a moto server started in this process."""
    if os.environ.get("FULLCAST_TEST_S3"):
        yield os.environ["FULLCAST_TEST_S3"].rstrip("/")
        return
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(name="bucket")
def bucket_fixture(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """A fresh, empty bucket on the test server, with fake credentials and the server as the S3 endpoint."""
    import boto3

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "FSSPEC_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    name = f"fullcast-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(name, s3_server, client)
