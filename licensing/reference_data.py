"""Reference data (filled in by the reference-data work; see shared/domain/FACTS.md)."""


def load(apps) -> None:  # noqa: ANN001
    """Idempotently create the reference rows using the historical models from ``apps``."""
