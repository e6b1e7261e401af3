from tests.newsletter.fixtures import consent_text  # noqa: F401
