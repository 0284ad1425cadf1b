"""Test settings: the same module, read with DJANGO_ENV=test (fast hashing, locmem email)."""

import os

os.environ["DJANGO_ENV"] = "test"

from .settings import *  # noqa: F403
