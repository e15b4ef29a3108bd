from tests.fleet.conftest import admin_api, csm, models  # noqa: F401
