"""A keyring of the tests' own: a KeyringBackend kept in memory, so a test sees exactly what was stored
where, and no test ever writes to the machine's real keyring."""
from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # keyring reads it on the class: above 0 is a store that can keep passwords

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class NoKeyring(KeyringBackend):
    """What a headless Linux machine has: keyring's own way of saying no store is there."""

    priority = 0

    def get_password(self, service: str, username: str) -> str | None:
        raise AssertionError("nothing may be read from a keyring that is not there")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("nothing may be written to a keyring that is not there")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError("nothing may be deleted from a keyring that is not there")
