"""docs/hjs-protocol.md section 4's worked example is true: its script, run with bash and the openssl
binary, prints exactly the values the document shows, and our protocol module agrees with them.

The expected values are the document's (produced by openssl when it was written); the script is
re-run here so neither the document nor our code is taken on trust.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hjs_operators.protocol import ProtocolSettings, build_request, open_request
from hjs_operators.protocol.crypto import encrypt_text
from hjs_operators.protocol.signing import canonical_string

DOC = Path(__file__).resolve().parents[2] / "docs" / "hjs-protocol.md"


def _example() -> tuple[str, dict[str, str]]:
    """(the sh script, the expected name=value output) of the worked example."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### Worked example"):text.index("## 5. Services")]
    script = re.search(r"```sh\n(.*?)```", section, re.S)
    output = re.search(r"```text\n(.*?)```", section, re.S)
    assert script and output, "the worked example lost its script or its output block"
    expected = dict(line.split("=", 1) for line in output.group(1).splitlines() if line)
    return script.group(1), expected


def _settings(expected: dict[str, str], **overrides: str) -> ProtocolSettings:
    fields = {"merchant_id": "ZW0001", "key": "hex:" + expected["key_hex"], "iv": "hex:" + expected["iv_hex"]}
    return ProtocolSettings.from_strings(**(fields | overrides))


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("bash") is None, reason="needs openssl and bash")
def test_the_documented_script_prints_the_documented_values():
    script, expected = _example()
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    printed = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert printed == expected


def test_our_protocol_module_builds_the_documented_request():
    _, expected = _example()
    plain = expected["decrypted"]
    payload = json.loads(plain)
    cbc = _settings(expected)
    request = build_request(
        "invest.create", payload, cbc, at_ms=1767196800000, nonce="0123456789abcdef0123456789abcdef"
    )
    assert request["data"] == expected["data"]
    assert canonical_string(request) == expected["signing_string"]
    assert request["sign"] == expected["sign"]
    assert open_request(request, cbc, at_ms=1767196800000).payload == payload

    md5 = _settings(expected, sign_type="MD5")
    assert build_request(
        "invest.create", payload, md5, at_ms=1767196800000, nonce="0123456789abcdef0123456789abcdef"
    )["sign"] == expected["sign_md5"]
    ecb = _settings(expected, mode="ECB", iv="")
    assert encrypt_text(plain, ecb) == expected["data_ecb"]
