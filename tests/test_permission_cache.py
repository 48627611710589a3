"""The cached permission sets (credit_portal.auth_backends): no queries when cached, never stale."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credit_portal import roles

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PERM = "archives.view_all_archives"


def fresh(user):
    """The user as the next request reads it (no per-request cache on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def test_a_second_request_asks_the_cache_not_the_database(staff):
    assert fresh(staff).has_perm(PERM)
    user = fresh(staff)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm(PERM)
        assert not user.has_perm("ratings.approve_ruleset")
    assert len(queries) == 0


def test_a_cold_cache_reads_the_permissions_and_the_role_in_one_query_as_django_would(staff, supervisor, db):
    from django.contrib.auth.backends import ModelBackend
    from django.core.cache import cache

    user = UserFactory()
    user.groups.set([Group.objects.get(name=roles.STAFF)])
    user.user_permissions.add(Permission.objects.get(codename="approve_ruleset"))
    for person, expected_role in ((staff, roles.STAFF), (supervisor, roles.SUPERVISOR), (user, roles.STAFF)):
        cache.clear()
        cold = fresh(person)
        with CaptureQueriesContext(connection) as queries:
            perms = cold.get_all_permissions()
            role = roles.role_of(cold)
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert perms == ModelBackend().get_all_permissions(fresh(person)) and role == expected_role
    assert fresh(user).has_perm("ratings.approve_ruleset") and fresh(user).has_perm(PERM)


def test_the_role_comes_from_the_cache_with_the_permissions(staff, supervisor):
    """The navigation asks every page for the user's role: no query once the permissions are cached."""
    assert roles.role_of(fresh(staff)) == roles.STAFF
    user = fresh(staff)
    with CaptureQueriesContext(connection) as queries:
        assert roles.role_of(user) == roles.STAFF
    assert len(queries) == 0
    staff.groups.set([Group.objects.get(name=roles.SUPERVISOR)])
    assert roles.role_of(fresh(staff)) == roles.SUPERVISOR  # a change of groups is seen at the next request


def test_leaving_a_group_takes_effect_at_the_next_request(staff):
    assert fresh(staff).has_perm(PERM)
    staff.groups.remove(Group.objects.get(name=roles.STAFF))
    assert not fresh(staff).has_perm(PERM)
    staff.groups.add(Group.objects.get(name=roles.STAFF))
    assert fresh(staff).has_perm(PERM)


def test_a_group_losing_a_permission_takes_effect_for_its_members(staff):
    assert fresh(staff).has_perm(PERM)
    group = Group.objects.get(name=roles.STAFF)
    group.permissions.remove(Permission.objects.get(codename="view_all_archives"))
    assert not fresh(staff).has_perm(PERM)


def test_a_direct_permission_and_a_deleted_group_take_effect(db):
    user = UserFactory()
    assert not fresh(user).has_perm(PERM)
    user.user_permissions.add(Permission.objects.get(codename="view_all_archives"))
    assert fresh(user).has_perm(PERM)
    group = Group.objects.create(name="临时组")
    group.permissions.add(Permission.objects.get(codename="approve_ruleset"))
    user.groups.add(group)
    assert fresh(user).has_perm("ratings.approve_ruleset")
    group.delete()
    assert not fresh(user).has_perm("ratings.approve_ruleset")


def test_superuser_and_inactive_users(staff):
    assert not fresh(staff).has_perm("ratings.approve_ruleset")
    staff.is_superuser = True
    staff.save()
    assert fresh(staff).has_perm("ratings.approve_ruleset")
    staff.is_superuser, staff.is_active = False, False
    staff.save()
    assert not fresh(staff).has_perm(PERM)


def test_an_emptied_cache_never_revives_an_old_entry(staff):
    from django.core.cache import cache

    from credit_portal.auth_backends import GENERATION_KEY

    assert fresh(staff).has_perm(PERM)
    old = cache.get(f"auth-perms:{staff.pk}:0")
    staff.groups.clear()
    cache.delete(GENERATION_KEY)  # evicted
    cache.set(f"auth-perms:{staff.pk}:0", old)  # the entry from before the change survived
    assert not fresh(staff).has_perm(PERM)
