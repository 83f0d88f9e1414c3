"""Problems of every source (ADR 0015): the sources every installation has."""

from responsibility.supervision.models import BUILTIN_PROBLEM_SOURCES, ProblemSource


def problem_sources_ensure(**kwargs) -> None:
    """Create the built-in sources that are missing (after migrate, and after a test database's flush);
    a source the office renamed keeps its name."""
    for order, (code, name) in enumerate(BUILTIN_PROBLEM_SOURCES, start=1):
        ProblemSource.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})
