"""Identity numbers and other secrets of people, encrypted at rest and masked wherever they are shown.

`EncryptedTextField` stores Fernet tokens (``cryptography``'s MultiFernet over ``PERSONAL_DATA_KEYS``,
newest key first: new values are encrypted with the first key, old ones still open with the others,
and ``manage.py rotate_personal_data_keys`` re-encrypts every stored value with the first key). The
value a model holds is a `Protected` string whose ``str()`` is the masked form, so a page, the API,
an export, the admin or a history view shows ``320***********123X`` unless the code asks for
``reveal()`` on purpose (for the roles that need it, with the access logged by the caller).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

logger = logging.getLogger(__name__)

UNREADABLE = "（无法解密）"


def mask_identity(number: str) -> str:
    """Enough to tell two documents apart on a page, not enough to use one: the birth date is hidden."""
    if len(number) >= 10:
        return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
    if len(number) > 3:
        return f"{number[:1]}{'*' * (len(number) - 3)}{number[-2:]}"
    return "*" * len(number)


class Protected(str):
    """A secret that prints masked: ``str()``/templates/JSON give the mask, ``reveal()`` the value itself."""

    def __new__(cls, plain: str):
        instance = super().__new__(cls, mask_identity(plain))
        instance._plain = plain
        return instance

    def reveal(self) -> str:
        return self._plain

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Protected({str.__str__(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Protected):
            return self._plain == other._plain
        return NotImplemented if not isinstance(other, str) else False

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._plain)

    def __reduce__(self):
        return (Protected, (self._plain,))


def reveal(value) -> str:
    """The plain value of what an `EncryptedTextField` holds ("" for nothing)."""
    if isinstance(value, Protected):
        return value.reveal()
    return value or ""


@lru_cache(maxsize=1)
def _cipher_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is not set: identity numbers cannot be encrypted")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"PERSONAL_DATA_KEYS holds a key that is not a Fernet key: {error}") from None


def cipher() -> MultiFernet:
    return _cipher_for(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt(plain: str) -> str:
    return cipher().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return cipher().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same value encrypted with the first (newest) key."""
    return cipher().rotate(token.encode()).decode()


def protect(value) -> str:
    """What an `EncryptedTextField` holds for a value: "" for nothing, else a `Protected` string."""
    if value is None or value == "" or isinstance(value, Protected):
        return value or ""
    return Protected(str(value))


class _ProtectedAttribute(DeferredAttribute):
    """Wraps whatever is assigned, so that a number just entered prints masked too, not only one read back."""

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = protect(value)


class EncryptedTextField(models.TextField):
    """A text stored as a Fernet token and read back as a `Protected` value (masked when printed).

    Nothing can be looked up by its value (each encryption differs): keep what must be searched elsewhere.
    """

    descriptor_class = _ProtectedAttribute

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        try:
            return Protected(decrypt(value))
        except InvalidToken:
            # A key left out of PERSONAL_DATA_KEYS: the page still answers; the value stays unreadable.
            logger.error("An encrypted value of %s cannot be decrypted with PERSONAL_DATA_KEYS", self)
            return Protected(UNREADABLE)

    def to_python(self, value):
        return protect(value)

    def get_prep_value(self, value):
        plain = reveal(value)
        return encrypt(plain) if plain else ""

    def value_to_string(self, obj) -> str:
        # Serialisation (dumpdata, fixtures) writes the mask, never the number.
        return str(self.value_from_object(obj) or "")
