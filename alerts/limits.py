"""The subscribe form cannot be used to mail-bomb someone: counters in the shared cache, per address and per IP.

The database adds the hard rule (Subscriber.asked_at): one confirmation email a day per address.
"""

import hashlib

from django.core.cache import cache

PER_IP_PER_HOUR = 20
PER_ADDRESS_PER_DAY = 5


def _allowed(key, limit, seconds):
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count <= limit


def allow_ip(ip):
    return _allowed(f"alerts:ip:{ip}", PER_IP_PER_HOUR, 3600)


def allow_address(address):
    # The address is hashed so the cache holds no readable list of who tried to subscribe.
    digest = hashlib.sha256(address.encode()).hexdigest()
    return _allowed(f"alerts:address:{digest}", PER_ADDRESS_PER_DAY, 86400)
