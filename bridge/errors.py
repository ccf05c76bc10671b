"""Exceptions of the bridge. Java exceptions never leak: the wrapper layer maps them here."""

from __future__ import annotations


class BridgeError(Exception):
    """Base class; the message is one line saying what went wrong and what to do."""


class JavaNotFoundError(BridgeError):
    """No usable `java` (or the wrong version)."""


class JarNotBuiltError(BridgeError):
    """bridge/jars is missing, incomplete or older than the Scala sources."""


class ServerUnreachableError(BridgeError):
    """The tracking server does not answer."""


class NotFoundError(BridgeError):
    """An experiment, run, model, version, alias or artifact that does not exist."""


class BadInputError(BridgeError):
    """Input that does not fit: a missing local file, missing columns, a corrupt model..."""


class AccessDeniedError(BridgeError):
    """The tracking server refused the credentials (401) or the user's permission (403)."""


class JvmError(BridgeError):
    """Any other failure inside the JVM; the message keeps the Java class and message."""
