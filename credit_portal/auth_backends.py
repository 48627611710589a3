"""Django's ModelBackend with each user's permissions (and the names of its groups: its role) kept in the shared cache.

Every API call and staff page asks ``user.has_perm`` at least once; ModelBackend answers with two
queries per request (the user's own permissions and its groups'), about a third of the rating API's
CPU time (``bench/pages.py``, "rating API under gunicorn"). Here the set is read from the cache
(Redis in production, shared by every worker) with one round trip, and computed as Django does
when it is missing.

Invalidation: any change of who holds which permission (a user's groups or permissions, a group's
permissions, a group, permission or user deleted) moves a generation token, and an entry of another
generation is not used. If the token itself is missing (the cache was emptied or evicted it), a new
one is drawn, so no entry written before can be taken for current. Entries also expire after
``PERMISSION_CACHE_SECONDS``. The key carries the user's ``is_superuser`` flag; ``is_active`` needs
nothing: it is checked on the user row the request read.

Redis is an accelerator here: when the cache does not answer (``credit_portal.cache``), the set is
computed from the database as Django does. A change of permissions made while the cache could not be
told is remembered by the process that made it, which moves the generation the next time the cache
answers and until then believes no cached set.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import CharField, F, Value

from .cache import cache_available

GENERATION_KEY = "auth-perms:generation"
# A permission change this process could not announce (the cache was down): announce it once it answers.
_unannounced_change = False


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def permissions_changed(**kwargs) -> None:
    """Receiver: whatever changed, no cached permission set is current any more."""
    global _unannounced_change
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    _unannounced_change = not cache_available()


def _announce_pending_change() -> bool:
    """Move the generation for a change made during an outage; False while that is still not possible."""
    if _unannounced_change:
        permissions_changed()
    return not _unannounced_change


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend whose ``get_all_permissions`` is cached per user and generation."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if not _announce_pending_change():
                return self._read_permissions(user_obj)  # the cache cannot be believed yet
            key = f"auth-perms:{user_obj.pk}:{int(user_obj.is_superuser)}"
            found = cache.get_many([key, GENERATION_KEY])
            generation = found.get(GENERATION_KEY) or _generation()
            entry = found.get(key)
            if entry is not None and len(entry) == 3 and entry[0] == generation:
                user_obj._perm_cache = set(entry[1])
                user_obj._group_names = set(entry[2])
            else:
                perms = self._read_permissions(user_obj)
                names = group_names(user_obj)
                cache.set(key, (generation, sorted(perms), sorted(names)), timeout=settings.PERMISSION_CACHE_SECONDS)
        return user_obj._perm_cache

    def _read_permissions(self, user_obj) -> set[str]:
        """What ``ModelBackend.get_all_permissions`` gives (``_perm_cache`` set), with the user's group names:
        the user's own permissions, its groups' and its groups' names in one UNION ALL (three queries in
        Django's), which is what a session's first page pays and every page while the cache is down."""
        if user_obj.is_superuser:
            perms = super().get_all_permissions(user_obj)
            group_names(user_obj)
            return perms
        groups_field = get_user_model()._meta.get_field("groups")
        tagged = {"kind": Value("", output_field=CharField()), "label": F("content_type__app_label")}
        own = self._get_user_permissions(user_obj).annotate(**tagged).values_list("kind", "label", "codename")
        of_groups = (
            Permission.objects.filter(**{f"group__{groups_field.related_query_name()}": user_obj})
            .annotate(**tagged)
            .values_list("kind", "label", "codename")
        )
        names = (
            Group.objects.filter(**{groups_field.related_query_name(): user_obj})
            .annotate(kind=Value("group", output_field=CharField()), label=Value("", output_field=CharField()))
            .values_list("kind", "label", "name")
        )
        perms: set[str] = set()
        user_obj._group_names = set()
        for kind, label, name in own.order_by().union(of_groups.order_by(), names.order_by(), all=True):
            if kind == "group":
                user_obj._group_names.add(name)
            else:
                perms.add(f"{label}.{name}")
        user_obj._perm_cache = perms
        return perms


def group_names(user_obj) -> set[str]:
    """The names of the user's groups (its role), kept with its permissions in the cache when read there."""
    if not hasattr(user_obj, "_group_names"):
        user_obj._group_names = set(user_obj.groups.values_list("name", flat=True))
    return user_obj._group_names


def connect_invalidation() -> None:
    """Connect ``permissions_changed`` to every signal that can change a user's permissions."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"auth-perms-m2m-{through._meta.label}")
    post_save.connect(permissions_changed, sender=Group, dispatch_uid="auth-perms-save-auth.Group")  # a renamed role
    for model in (user_model, Group, Permission):
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"auth-perms-delete-{model._meta.label}")
