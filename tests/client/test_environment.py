"""The transport reads the environment (proxies, CA bundle) once, when it is built, not per call."""

from __future__ import annotations

from hjs_operators.client.transport import HjsTransport, new_session
from hjs_operators.protocol import ProtocolSettings

SETTINGS = ProtocolSettings.from_strings(merchant_id="ZW0001", key="ZwStubServerTestKey24By!", iv="stubIv01")


def test_proxy_and_ca_bundle_are_taken_from_the_environment_once(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/hjs/ca.pem")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = HjsTransport("https://hjs.example.com", SETTINGS)
    assert transport.session.proxies.get("https") == "http://proxy.internal:3128"
    assert transport.session.verify == "/etc/hjs/ca.pem"
    assert transport.session.trust_env is False  # requests no longer walks os.environ per call


def test_no_proxy_is_honoured_and_a_given_session_keeps_its_own_settings(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "hjs.example.com")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert HjsTransport("https://hjs.example.com", SETTINGS).session.proxies == {}
    session = new_session()
    session.verify = "/etc/other/ca.pem"
    session.proxies = {"https": "http://explicit:8080"}
    transport = HjsTransport("https://hjs.example.com", SETTINGS, session=session)
    assert transport.session.verify == "/etc/other/ca.pem"
    assert transport.session.proxies == {"https": "http://explicit:8080"}
