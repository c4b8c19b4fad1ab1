"""PostgreSQL's per-request health check (portal/db/postgresql): skipped for a connection that just worked."""

import pytest
from django.db import OperationalError, connection, connections

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SELECT 1 health check is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def checks(monkeypatch, settings):
    connection.close()
    # As in production: a connection kept between requests, checked before a request uses it.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    made = []
    wrapper = type(connections["default"])
    assert wrapper.__module__ == "portal.db.postgresql.base"
    real = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda self: made.append(1) or real(self))
    yield made
    connection.close()


def request():
    """What a request does to the connection: Django's check as it starts, a query, the check as it ends."""
    connection.close_if_unusable_or_obsolete()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        connection.close_if_unusable_or_obsolete()


def drop_from_the_server(pid):
    import psycopg2

    with psycopg2.connect(**connection.get_connection_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_that_just_served_a_request_is_not_checked_again(checks):
    first = request()  # a new connection is healthy
    for _ in range(3):
        assert request() == first
    assert checks == []


def test_an_idle_connection_is_checked_and_replaced_if_the_server_dropped_it(checks):
    first = request()
    connection.worked_at -= 1  # idle for a second
    assert request() == first
    assert checks == [1]
    drop_from_the_server(first)
    connection.worked_at -= 1
    second = request()  # the reader's page is served, on a new connection
    assert second != first
    assert len(checks) == 2


def test_a_connection_dropped_within_the_window_fails_one_request_and_is_then_replaced(checks):
    first = request()
    drop_from_the_server(first)
    with pytest.raises(OperationalError):
        request()  # the site answers this one with its "database unavailable" page
    assert connection.connection is None  # closed as that request ended
    assert request() != first
