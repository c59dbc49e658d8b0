"""newsdesk: a Discord newsletter bot."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsdesk")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
