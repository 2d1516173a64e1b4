"""HJS wire protocol: 3DES envelope, signatures, settings and typed errors. No Airflow imports."""

from .envelope import SUCCESS, Request, Response, build_request, build_response, open_request, open_response
from .errors import HjsBusinessError, HjsConfigError, HjsError, HjsProtocolError, HjsTransientError
from .settings import Charset, CipherMode, ProtocolSettings, SignType

__all__ = [
    "SUCCESS",
    "Charset",
    "CipherMode",
    "HjsBusinessError",
    "HjsConfigError",
    "HjsError",
    "HjsProtocolError",
    "HjsTransientError",
    "ProtocolSettings",
    "Request",
    "Response",
    "SignType",
    "build_request",
    "build_response",
    "open_request",
    "open_response",
]
