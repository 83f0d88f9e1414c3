"""The append-only base: rows written once and never changed or deleted through the ORM (signatures, audit
events, draws). On PostgreSQL, triggers refuse the same at the database."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import FrozenRecordError


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenRecordError(_("This record is permanent and cannot be changed."))

    def delete(self):
        raise FrozenRecordError(_("This record is permanent and cannot be deleted."))


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted (signatures, audit events)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenRecordError(_("This record is permanent and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenRecordError(_("This record is permanent and cannot be deleted."))
