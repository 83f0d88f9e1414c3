"""An id no integer column can hold matches nothing, on every database.

PostgreSQL compares a 40-digit number like any other and finds no row; SQLite cannot bind it and
raises OverflowError ("Python int too large to convert to SQLite INTEGER"), a 500 for a form's
select, a `?unit=` filter or a `<int:pk>` URL. Django already answers `=`, `<`, `>` on an integer
column this way (`IntegerFieldOverflow`); the lookups below do the same for `in` and for foreign keys
(`unit=`, `unit_id=`, `unit__in=`), which it does not. Registered on import, by accounts.apps.
"""

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _column_range(field, connection) -> tuple[int | None, int | None]:
    """The values the column behind `field` can hold; a foreign key's are its target column's."""
    while field.is_relation:
        try:
            field = field.target_field
        except (AttributeError, FieldError):  # a relation over several columns: no single range
            return None, None
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:  # not an integer column
        return None, None


def _fits(value, bounds: tuple[int | None, int | None]) -> bool:
    if not isinstance(value, int):
        return True  # not ours to judge (None, an expression, a string key)
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


class _InFitting:
    """`in`: values the column cannot hold are left out; with none left, nothing matches."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and not isinstance(self.rhs, str):
            bounds = _column_range(self.lhs.output_field, connection)
            self.rhs = [value for value in self.rhs if _fits(value, bounds)]
        return super().process_rhs(compiler, connection)


@IntegerField.register_lookup
class IntegerFieldIn(_InFitting, In):
    pass


@ForeignObject.register_lookup
class RelatedInFitting(_InFitting, RelatedIn):
    pass


@ForeignObject.register_lookup
class RelatedExactFitting(RelatedExact):
    """`unit=<id>`: an id the key column cannot hold matches no row (as Django's integer `=` does)."""

    def process_rhs(self, compiler, connection):
        if not _fits(self.rhs, _column_range(self.lhs.output_field, connection)):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)
