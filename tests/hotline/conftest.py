from tests.intake.conftest import classifier, client, credentials, services  # noqa: F401
