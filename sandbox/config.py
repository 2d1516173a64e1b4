"""Everything a sandbox instance is started with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hjs_operators.protocol import ProtocolSettings

from .faults import NO_FAULTS, FaultConfig


@dataclass(frozen=True)
class SandboxConfig:
    settings: ProtocolSettings  # the one merchant this HJS knows, with its agreed key, mode, IV, ...
    data_dir: Path  # holds the SQLite file; state survives a restart until /admin/reset
    seed: int = 0  # fault injection's random seed (admin can change it)
    faults: FaultConfig = NO_FAULTS  # faults active from the start
    hang_grace_seconds: float = 3.0  # how long shutdown waits for hanging requests
