"""Listener keys: a salted hash of the network address and User-Agent, never the address.

The IAB counts a listener as IP address + User-Agent, with an IPv6 address cut to its /64
(privacy addresses change within one network). The address lives only while its line is
processed: what is kept is a keyed BLAKE2b digest with a salt made fresh for each run, so
the keys cannot be joined with any other data set or with the next run's report.
"""

from __future__ import annotations

import bisect
import hashlib
import ipaddress
import secrets
from pathlib import Path

from podcast.stats.logformats import LogError


def network(ip: str) -> bytes:
    """The address that stands for one household: an IPv4 address, or an IPv6 /64."""
    if ":" not in ip:
        return ip.encode()
    try:
        address = ipaddress.IPv6Address(ip.split("%", 1)[0])
    except ValueError:
        return ip.encode()
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped).encode()
    return address.packed[:8]


class Keys:
    """Makes the salted keys for one run: per listener (IP + agent) and per network."""

    def __init__(self, salt: bytes | None = None) -> None:
        self.salt = salt or secrets.token_bytes(16)
        # keyed once; copying a keyed state is twice as fast as keying a new one per line
        self._listener = hashlib.blake2b(key=self.salt, digest_size=12)
        self._address = hashlib.blake2b(key=self.salt, digest_size=12, person=b"ip")

    def listener(self, net: bytes, user_agent: str) -> bytes:
        """The listener's key: network and User-Agent, hashed with the run's salt."""
        state = self._listener.copy()
        state.update(net + b"\x00" + user_agent.encode("utf-8", "replace"))
        return state.digest()

    def address(self, net: bytes) -> bytes:
        """The network's key, for counting downloads per address without keeping it."""
        state = self._address.copy()
        state.update(net)
        return state.digest()


class Networks:
    """A user's list of data-centre CIDRs, checked by binary search over integer ranges."""

    def __init__(self, cidrs: list[str], source: str = "") -> None:
        ranges = []
        for text in cidrs:
            net = ipaddress.ip_network(text, strict=False)
            ranges.append((net.version, int(net.network_address), int(net.broadcast_address)))
        self.ranges = _merged(sorted(ranges))
        self.starts = [(v, s) for v, s, _ in self.ranges]
        self.source = source

    def __len__(self) -> int:
        return len(self.ranges)

    def __contains__(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        key = (address.version, int(address))
        index = bisect.bisect_right(self.starts, key) - 1
        return index >= 0 and self.ranges[index][0] == key[0] and key[1] <= self.ranges[index][2]


def _merged(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Sorted ranges with overlapping ones joined, so one binary search finds any address."""
    merged: list[tuple[int, int, int]] = []
    for version, start, end in ranges:
        if merged and merged[-1][0] == version and start <= merged[-1][2] + 1:
            merged[-1] = (version, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((version, start, end))
    return merged


def read_networks(path: Path) -> Networks:
    """A CIDR list file: one network a line, `#` comments; every bad line reported at once."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LogError(f"{path}: cannot read the CIDR list ({exc}); check the path") from None
    cidrs, bad = [], []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            bad.append(f"{path}:{number}: not a network in CIDR notation ({text!r})")
            continue
        cidrs.append(text)
    if bad:
        raise LogError("\n".join(bad) + "\n(hint: write one network a line, e.g. 192.0.2.0/24)")
    return Networks(cidrs, str(path))
