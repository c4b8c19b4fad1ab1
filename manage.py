#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def read_dotenv():
    """The checkout's development settings that `make run` writes to .env; real environment variables win.

    Only manage.py reads it: gunicorn (portal/wsgi.py) never does, so a stray .env cannot switch
    DEBUG on or supply a secret key in production.
    """
    path = Path(__file__).resolve().parent / ".env"
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def main():
    read_dotenv()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
