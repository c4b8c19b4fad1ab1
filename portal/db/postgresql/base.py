"""Django's PostgreSQL backend, with the per-request health check skipped for a connection that just worked.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request, so a
connection the server dropped (a restart, an idle timeout) is replaced rather than failing a
reader's page. Under load that round trip cost a cold page about a tenth of its time, while the
connection had just served the request before. As connection pools do (HikariCP's
aliveBypassWindowMs), a connection that served a request without error less than
HEALTH_CHECK_SKIP_SECONDS ago is taken as healthy; an idle one is checked as before.
"""

import time

from django.db.backends.postgresql import base

HEALTH_CHECK_SKIP_SECONDS = 0.5


class DatabaseWrapper(base.DatabaseWrapper):
    worked_at = None  # when this connection last finished a request it served without error

    def close_if_unusable_or_obsolete(self):
        # Called as each request starts and ends; the check is done (or a new connection made) only in a
        # request that used the database.
        worked = self.connection is not None and self.health_check_done and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if worked and self.connection is not None:
            self.worked_at = time.monotonic()

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.worked_at is not None
            and time.monotonic() - self.worked_at < HEALTH_CHECK_SKIP_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
