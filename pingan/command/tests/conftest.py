from pingan.events.tests.conftest import departments, handlers  # noqa: F401
