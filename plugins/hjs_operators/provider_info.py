"""Provider metadata for Airflow: registers the "hjs" connection type and its form.

Airflow finds a hook's connection type only through an installed distribution's
`apache_airflow_provider` entry point (pyproject.toml points here). Since Airflow 3.2 the form is
declared here ("conn-fields", "ui-field-behaviour"), the Airflow 3.2+ way,
so the API server can draw it without importing the hook. Pure data, no imports: Airflow calls this
while discovering providers in every process.
"""

from __future__ import annotations

from typing import Any

PACKAGE_NAME = "hjs-settlement-pipelines"  # must equal the distribution name in pyproject.toml
VERSION = "0.1.0"
CONNECTION_TYPE = "hjs"
HOOK_CLASS_NAME = "hjs_operators.hooks.hjs.HjsHook"
HOOK_NAME = "HJS Exchange"

# Extra fields of an hjs connection (spec section 8). Stored in the connection's extra under these
# names; the hook also reads the older "extra__hjs__<name>" form.
CONN_FIELDS: dict[str, dict[str, Any]] = {
    "mode": {
        "label": "3DES mode",
        "schema": {"type": ["string", "null"], "enum": ["CBC", "ECB"], "default": "CBC"},
        "description": "CBC (with the agreed IV) or ECB, as agreed with HJS",
    },
    "iv": {
        "label": "IV (CBC only)",
        "schema": {"type": ["string", "null"], "format": "password"},
        "description": "8-byte IV for CBC: text, or hex:... / base64:... for raw bytes",
    },
    "sign_type": {
        "label": "Signature type",
        "schema": {"type": ["string", "null"], "enum": ["HMAC-SHA256", "MD5"], "default": "HMAC-SHA256"},
        "description": "HMAC-SHA256 (default) or MD5, as agreed with HJS",
    },
    "charset": {
        "label": "Payload charset",
        "schema": {"type": ["string", "null"], "enum": ["UTF-8", "GBK"], "default": "UTF-8"},
        "description": "Charset of the encrypted JSON payload",
    },
    "timeout": {
        "label": "Read timeout (seconds)",
        "schema": {"type": ["integer", "null"], "minimum": 1, "default": 30},
        "description": "How long to wait for an HJS answer; the connect timeout is at most 5 s",
    },
    "replay_window_seconds": {
        "label": "Replay window (seconds)",
        "schema": {"type": ["integer", "null"], "minimum": 1, "default": 300},
        "description": "Largest accepted clock difference between zw and HJS",
    },
}

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    # The base URL goes in host, scheme included; schema and port would only split it up again.
    # extra is hidden because every extra setting has its own field above.
    "hidden-fields": ["schema", "port", "extra"],
    "relabeling": {"host": "Base URL", "login": "Merchant id", "password": "3DES key"},
    "placeholders": {
        "host": "https://hjs.example.com",
        "login": "ZW0001",
        "password": "16 or 24 bytes; hex:... or base64:... for raw bytes",
        "mode": "CBC",
        "iv": "hex:0102030405060708",
        "sign_type": "HMAC-SHA256",
        "charset": "UTF-8",
        "timeout": "30",
        "replay_window_seconds": "300",
    },
}


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": PACKAGE_NAME,
        "name": HOOK_NAME,
        "description": "Signed, 3DES-encrypted client and hook for the HJS exchange (zw settlement pipelines).",
        "versions": [VERSION],
        "integrations": [{"integration-name": HOOK_NAME, "tags": ["protocol"]}],
        "hooks": [{"integration-name": HOOK_NAME, "python-modules": ["hjs_operators.hooks.hjs"]}],
        "connection-types": [
            {
                "hook-class-name": HOOK_CLASS_NAME,
                "hook-name": HOOK_NAME,
                "connection-type": CONNECTION_TYPE,
                "conn-fields": CONN_FIELDS,
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
            }
        ],
    }
