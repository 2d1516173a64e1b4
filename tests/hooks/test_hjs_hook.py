"""HjsHook: connection parsing, provider registration, get_conn and test_connection.

Connections are set the way Airflow users and CI do it, through AIRFLOW_CONN_* environment
variables (JSON form); test_connection runs against the HJS sandbox over real HTTP.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from airflow.sdk import Connection

from hjs_operators import provider_info
from hjs_operators.hooks.hjs import HjsConnectionConfig, HjsHook, base_url_of
from hjs_operators.protocol.errors import HjsConfigError
from tests.fixtures.sandbox import TEST_IV, TEST_KEY, TEST_MERCHANT_ID


def conn(**fields) -> Connection:
    values = {
        "conn_id": "hjs_test",
        "conn_type": "hjs",
        "login": "ZW0001",
        "password": "ZwHookUnitTestKey24Byte!",
    } | fields
    return Connection(**values)


# -- connection parsing (no network) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({"host": "https://hjs.example.com"}, "https://hjs.example.com"),
        ({"host": "https://hjs.example.com/gateway/"}, "https://hjs.example.com/gateway"),
        ({"host": "hjs.example.com"}, "https://hjs.example.com"),  # no scheme: https, never plain http
        ({"host": "127.0.0.1", "schema": "http", "port": 8765}, "http://127.0.0.1:8765"),
        ({"host": "http://127.0.0.1", "port": 8765}, "http://127.0.0.1:8765"),
        ({"host": "http://127.0.0.1:9000", "port": 8765}, "http://127.0.0.1:9000"),  # the URL's own port wins
    ],
)
def test_base_url_from_host_schema_port(fields, url):
    assert base_url_of(conn(**fields)) == url


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"host": ""}, r"host \(base URL\) is empty"),
        ({"host": "hjs.example.com", "schema": "ftp"}, "scheme must be http or https"),
        ({"host": "ftp://hjs.example.com"}, r"not an http\(s\) URL"),
    ],
)
def test_bad_base_url(fields, message):
    with pytest.raises(HjsConfigError, match=message):
        base_url_of(conn(**fields))


def test_config_from_extras_plain_and_prefixed():
    extra = {
        "mode": "ECB",
        "extra__hjs__sign_type": "MD5",
        "charset": "gbk",
        "timeout": "12.5",
        "replay_window_seconds": 60,
    }
    config = HjsConnectionConfig.from_connection(conn(host="https://h", extra=json.dumps(extra)))
    assert (config.mode, config.sign_type, config.charset, config.timeout, config.replay_window_seconds) == (
        "ECB",
        "MD5",
        "gbk",
        12.5,
        60,
    )
    settings = config.protocol_settings()
    assert settings.charset.value == "GBK" and settings.iv is None
    assert "ZwHookUnitTestKey24Byte!" not in repr(config) and "key=" not in repr(config)


def test_config_defaults():
    config = HjsConnectionConfig.from_connection(conn(host="https://h", extra=json.dumps({"iv": "12345678"})))
    assert (config.mode, config.sign_type, config.charset, config.timeout, config.replay_window_seconds) == (
        "CBC",
        "HMAC-SHA256",
        "UTF-8",
        30.0,
        300,
    )
    client = config.build_client()
    assert client.transport.timeouts.as_tuple() == (5.0, 30.0)
    client.close()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"login": None}, "login \\(merchant id\\) is empty"),
        ({"password": None}, "password \\(3DES key\\) is empty"),
        ({"extra": json.dumps({"timeout": "soon"})}, "'timeout' is not a number"),
        ({"extra": json.dumps({"replay_window_seconds": -5})}, "'replay_window_seconds' must be positive"),
    ],
)
def test_incomplete_connection_refused(fields, message):
    with pytest.raises(HjsConfigError, match=message):
        HjsConnectionConfig.from_connection(conn(host="https://h", **fields))


def test_ui_field_behaviour_matches_airflows_schema():
    """Airflow 3.3 reads the form from provider_info, not from the hook; the same
    validator the providers manager uses accepts it."""
    from airflow.providers_manager import _create_customized_form_field_behaviours_schema_validator

    from hjs_operators.provider_info import UI_FIELD_BEHAVIOUR

    behaviour = {key.replace("-", "_"): value for key, value in UI_FIELD_BEHAVIOUR.items()}
    _create_customized_form_field_behaviours_schema_validator().validate(behaviour)
    assert behaviour["relabeling"] == {"host": "Base URL", "login": "Merchant id", "password": "3DES key"}
    assert {"schema", "port"} <= set(behaviour["hidden_fields"])


def test_importing_the_hook_is_light():
    """DAG files import hooks at parse time: the client stack must only load when a client is built."""
    code = (
        "import sys, hjs_operators.hooks.hjs; "
        "heavy = [m for m in ('requests', 'Crypto', 'hjs_operators.client') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# -- Airflow's provider registry -------------------------------------------------------------------


@pytest.fixture(scope="module")
def runtime_providers():
    """The task-side registry (3.2+: ProvidersManager.hooks is deprecated in favour of this one)."""
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    manager = ProvidersManagerTaskRuntime()
    if "hjs" not in manager.hooks:
        pytest.fail("connection type 'hjs' not registered: run `.venv/bin/pip install -e . --no-deps` (GUIDE 7)")
    return manager


@pytest.fixture(scope="module")
def providers():
    """The API server's registry, which draws the connection form."""
    from airflow.providers_manager import ProvidersManager

    return ProvidersManager()


def test_providers_manager_lists_hjs_connection_type(runtime_providers):
    hook = runtime_providers.hooks["hjs"]
    assert hook.hook_class_name == "hjs_operators.hooks.hjs.HjsHook"
    assert hook.connection_id_attribute_name == "hjs_conn_id" and hook.hook_name == "HJS Exchange"
    assert hook.connection_testable
    assert provider_info.PACKAGE_NAME in runtime_providers.providers


def test_providers_manager_has_the_form(providers):
    assert providers.providers[provider_info.PACKAGE_NAME].version == provider_info.VERSION
    widgets = providers.connection_form_widgets
    for name in provider_info.CONN_FIELDS:
        assert f"extra__hjs__{name}" in widgets
    assert widgets["extra__hjs__iv"].is_sensitive and not widgets["extra__hjs__mode"].is_sensitive
    behaviour = providers.field_behaviours["hjs"]
    assert behaviour["relabeling"]["password"] == "3DES key"
    assert behaviour["placeholders"]["extra__hjs__iv"].startswith("hex:")


# -- against the sandbox -------------------------------------------------------------------------------


def set_connection(monkeypatch, sandbox, *, conn_id="hjs_default", **overrides):
    fields = {
        "conn_type": "hjs",
        "host": sandbox.base_url,
        "login": TEST_MERCHANT_ID,
        "password": TEST_KEY,
        "extra": {"mode": "CBC", "iv": TEST_IV, "sign_type": "HMAC-SHA256", "charset": "UTF-8", "timeout": 5},
    } | overrides
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


@pytest.mark.sandbox
def test_hook_from_env_var_and_test_connection(sandbox, monkeypatch):
    set_connection(monkeypatch, sandbox)
    hook = HjsHook()
    client = hook.get_conn()
    assert hook.get_conn() is client  # built once, reused
    assert client.ping().merchant_id == TEST_MERCHANT_ID
    ok, message = hook.test_connection()
    assert ok, message
    assert message.startswith(f"Connected to HJS at {sandbox.base_url} as merchant {TEST_MERCHANT_ID}")
    hook.close()


@pytest.mark.sandbox
def test_hook_found_through_the_connection_type(sandbox, monkeypatch, runtime_providers):
    """What Airflow itself does for the UI's Test button: connection -> type -> hook class."""
    from airflow.sdk import BaseHook

    set_connection(monkeypatch, sandbox)
    hook = BaseHook.get_hook("hjs_default")
    assert isinstance(hook, HjsHook) and hook.test_connection()[0]


@pytest.mark.sandbox
def test_test_connection_fails_cleanly_with_a_wrong_key(sandbox, monkeypatch):
    wrong_key = "WrongKeyButRightLength24"
    set_connection(monkeypatch, sandbox, password=wrong_key)
    ok, message = HjsHook().test_connection()
    assert not ok
    assert "HjsProtocolError" in message and "signature does not verify" in message and "check that" in message
    assert wrong_key not in message and TEST_KEY not in message and TEST_IV not in message


@pytest.mark.sandbox
def test_test_connection_fails_cleanly_with_a_wrong_iv(sandbox, monkeypatch):
    """Signatures still verify with a wrong IV; it is the decryption that fails, on both sides."""
    set_connection(monkeypatch, sandbox, extra={"iv": "hex:0011223344556677"})
    ok, message = HjsHook().test_connection()
    assert not ok and "0011223344556677" not in message and TEST_KEY not in message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"host": "http://127.0.0.1:9"}, "HJS did not answer"),
        ({"password": "hex:" + "0123456789ABCDEF" * 2}, "degenerates to single DES"),
        ({"password": "short"}, "16 or at least 24 bytes"),
        ({"extra": {"mode": "CBC"}}, "CBC mode needs an IV"),
    ],
)
def test_test_connection_never_raises(monkeypatch, overrides, expected):
    class Local:
        base_url = "http://127.0.0.1:9"

    set_connection(monkeypatch, Local(), conn_id="hjs_broken", **overrides)
    ok, message = HjsHook("hjs_broken").test_connection()
    assert not ok and expected in message
    assert TEST_KEY not in message and "0123456789ABCDEF" not in message


def test_test_connection_for_a_missing_connection():
    ok, message = HjsHook("hjs_does_not_exist").test_connection()
    assert not ok and "hjs_does_not_exist" in message


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("hjs_charset", "ours"),
    [("GBK", "UTF-8"), ("UTF-8", "GBK")],
    ids=["hjs-gbk-connection-utf8", "hjs-utf8-connection-gbk"],
)
def test_test_connection_catches_a_wrong_charset(sandbox_factory, monkeypatch, hjs_charset, ours):
    """Key, mode and IV right, charset wrong: signatures verify and ASCII decrypts, so only the ping's
    known non-ASCII text can tell. Before, this connection tested green and later stored mojibake."""
    hjs = sandbox_factory(charset=hjs_charset)
    set_connection(monkeypatch, hjs, extra={"iv": TEST_IV, "charset": ours})
    ok, message = HjsHook().test_connection()
    assert not ok
    assert "charset mismatch" in message and "extra 'charset'" in message
    assert TEST_KEY not in message and TEST_IV not in message

    set_connection(monkeypatch, hjs, extra={"iv": TEST_IV, "charset": hjs_charset})
    ok, message = HjsHook().test_connection()
    assert ok and f"charset ({hjs_charset}) verified" in message
