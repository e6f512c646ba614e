"""Where a deploy puts the built site: an S3-compatible bucket or a local folder.

Both answer the same few calls (check, read/write the manifest, put a file, delete a key), so
the deploy's ordering and safety rules live once in `podcast.publish.deploy`. The S3 target
uses only calls every S3-compatible store implements (HeadBucket, GetObject, PutObject,
multipart upload, DeleteObject), path-style addressing for a custom endpoint, and checksums
only when the operation requires them (some stores reject the newer default CRC headers).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from podcast.errors import PodcastError

MANIFEST = ".podcast-manifest.json"
MULTIPART_THRESHOLD = 16 * 1024 * 1024  # audio above this goes up in parts
MULTIPART_CHUNK = 8 * 1024 * 1024
MULTIPART_CONCURRENCY = 4  # parts in flight per file: bounded, the machine is shared


class TargetError(PodcastError):
    """A target that cannot be deployed to; nothing was uploaded."""


class UploadError(PodcastError):
    """An object that could not be written or deleted."""


@dataclass(frozen=True, slots=True)
class Headers:
    """What a store sends with an object."""

    content_type: str
    cache_control: str


class Target(Protocol):
    """A place the built site is deployed to."""

    def check(self) -> None:
        """Raise TargetError unless the target can be read and written."""

    def read_manifest(self) -> bytes | None:
        """The manifest of the last deploy, or None on the first."""

    def put(
        self, key: str, source: Path, headers: Headers, on_bytes: Callable[[int], None]
    ) -> None:
        """Write `source` at `key`, whole or not at all."""

    def put_bytes(self, key: str, body: bytes, headers: Headers) -> None:
        """Write `body` at `key`."""

    def delete(self, key: str) -> None:
        """Remove `key` (absent is fine)."""


def open_target(target: str, endpoint_url: str | None = None) -> Target:
    """The target named by `s3://BUCKET[/PREFIX]` or a local folder path."""
    scheme = urlsplit(target).scheme
    if scheme == "s3":
        return S3Target.from_url(target, endpoint_url)
    if scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt"):
        return FolderTarget(Path(target.removeprefix("file://")))
    raise TargetError(
        f"{target}: unknown target scheme '{scheme}://'; "
        "use s3://BUCKET[/PREFIX] for object storage or a folder path"
    )


class FolderTarget:
    """A local folder (a mounted web root): each file is written beside itself, then renamed."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).absolute()

    def __str__(self) -> str:
        return str(self.folder)

    def check(self) -> None:
        """The folder (or its parent, to create it in) must exist and be writable."""
        existing = self.folder if self.folder.exists() else self.folder.parent
        if not existing.is_dir():
            raise TargetError(f"{existing}: not a folder; create it or choose another target")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise TargetError(f"{existing}: access denied (not writable); nothing was uploaded")

    def read_manifest(self) -> bytes | None:
        """The manifest file, if a deploy wrote one."""
        try:
            return (self.folder / MANIFEST).read_bytes()
        except FileNotFoundError:
            return None

    def put(
        self, key: str, source: Path, headers: Headers, on_bytes: Callable[[int], None]
    ) -> None:
        """Copy to a temporary name in the same folder, then rename over the old file."""
        destination = self._path(key)
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=f".{destination.name}.", dir=destination.parent
            )
            try:
                with os.fdopen(handle, "wb") as out, source.open("rb") as data:
                    shutil.copyfileobj(data, out)
                os.chmod(temporary, 0o644)
                os.replace(temporary, destination)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise UploadError(f"{key}: could not write {destination} ({exc})") from None
        on_bytes(source.stat().st_size)

    def put_bytes(self, key: str, body: bytes, headers: Headers) -> None:
        """Write `body` atomically at `key`."""
        from podcast.files import write_atomic

        try:
            self._path(key).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(key), body)
        except OSError as exc:
            raise UploadError(f"{key}: could not write ({exc})") from None

    def delete(self, key: str) -> None:
        """Remove the file, and its folder once empty."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
            if path.parent != self.folder and not any(path.parent.iterdir()):
                path.parent.rmdir()
        except OSError as exc:
            raise UploadError(f"{key}: could not delete ({exc})") from None

    def _path(self, key: str) -> Path:
        path = (self.folder / key).absolute()
        if not path.is_relative_to(self.folder) or ".." in Path(key).parts:
            raise UploadError(f"{key}: outside the target folder")
        return path


class S3Target:
    """A bucket (and optional prefix) on any S3-compatible store, through boto3."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None) -> None:
        self.bucket, self.prefix, self.endpoint_url = bucket, prefix, endpoint_url
        self._client: Any = None

    @classmethod
    def from_url(cls, url: str, endpoint_url: str | None) -> S3Target:
        """Parse `s3://BUCKET[/PREFIX]`."""
        parts = urlsplit(url)
        if not parts.netloc:
            raise TargetError(f"{url}: no bucket; write s3://BUCKET or s3://BUCKET/PREFIX")
        prefix = parts.path.strip("/")
        return cls(parts.netloc, prefix + "/" if prefix else "", endpoint_url)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def client(self) -> Any:
        """The boto3 client: the standard credential chain, path style on a custom endpoint."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                s3={"addressing_style": "path" if self.endpoint_url else "auto"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, config=config
            )
        return self._client

    def check(self) -> None:
        """HeadBucket: credentials present, endpoint reachable, bucket there, access granted."""
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        if boto3.session.Session().get_credentials() is None:
            raise TargetError(
                f"{self}: no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or AWS_PROFILE (~/.aws/credentials); nothing was uploaded"
            )
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError:
            raise TargetError(f"{self}: no credentials; nothing was uploaded") from None
        except ClientError as exc:
            raise TargetError(self._client_problem(exc)) from None
        except BotoCoreError as exc:
            where = self.endpoint_url or "the S3 endpoint"
            raise TargetError(
                f"{self}: cannot reach {where} ({exc}); check --endpoint-url and the network; "
                "nothing was uploaded"
            ) from None

    def _client_problem(self, exc: Any) -> str:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = exc.response.get("Error", {}).get("Code", "")
        if status == 404 or code in ("404", "NoSuchBucket"):
            return f"{self}: bucket '{self.bucket}' does not exist; create it first"
        if status == 403 or code in ("403", "AccessDenied", "InvalidAccessKeyId"):
            return (
                f"{self}: access denied to bucket '{self.bucket}'; check the credentials "
                "and the bucket policy; nothing was uploaded"
            )
        return f"{self}: the store refused HeadBucket ({code or status}); nothing was uploaded"

    def read_manifest(self) -> bytes | None:
        """GetObject of the manifest; None when there is none yet."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST)
            return response["Body"].read()  # type: ignore[no-any-return]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise TargetError(f"{self}: cannot read {MANIFEST} ({exc})") from None
        except BotoCoreError as exc:
            raise TargetError(f"{self}: cannot read {MANIFEST} ({exc})") from None

    def put(
        self, key: str, source: Path, headers: Headers, on_bytes: Callable[[int], None]
    ) -> None:
        """upload_file: multipart above the threshold, with bounded part concurrency."""
        from boto3.exceptions import Boto3Error
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=MULTIPART_CHUNK,
            max_concurrency=MULTIPART_CONCURRENCY,
        )
        try:
            self.client.upload_file(
                str(source),
                self.bucket,
                self.prefix + key,
                ExtraArgs=_extra(headers),
                Config=transfer,
                Callback=on_bytes,
            )
        except (Boto3Error, ClientError, BotoCoreError, OSError) as exc:
            raise UploadError(f"{key}: upload failed ({exc})") from None

    def put_bytes(self, key: str, body: bytes, headers: Headers) -> None:
        """PutObject of a small body."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.prefix + key, Body=body, **_extra(headers)
            )
        except (ClientError, BotoCoreError) as exc:
            raise UploadError(f"{key}: upload failed ({exc})") from None

    def delete(self, key: str) -> None:
        """DeleteObject."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
        except (ClientError, BotoCoreError) as exc:
            raise UploadError(f"{key}: delete failed ({exc})") from None


def _extra(headers: Headers) -> dict[str, str]:
    """The object's metadata; never Content-Encoding (audio must be served as stored)."""
    return {"ContentType": headers.content_type, "CacheControl": headers.cache_control}
