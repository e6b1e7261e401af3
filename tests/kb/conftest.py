from tests.kb.fixtures import publish, writer  # noqa: F401  (fixtures)
