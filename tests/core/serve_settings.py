"""Settings for the serve tests: fleetcare's own plus a slow page (tests only)."""

from fleetcare.config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.core.serve_urls"
