"""Re-run a spot-check draw from its stored inputs and say whether the stored record holds.

Exit status: 0 when every draw checked is valid, 1 when one is not (naming what failed), 2 when the
draw ID is unknown.
"""

from datetime import UTC

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from responsibility.supervision.models import DrawMode, SpotCheckDraw
from responsibility.supervision.services.draws import DrawVerification, draw_verify

EXIT_NOT_VALID = 1
EXIT_UNKNOWN = 2


class Command(BaseCommand):
    help = (
        "Re-run a spot-check draw from its stored population, team, parameters, public value and time: "
        "exit 0 when it gives the stored result and the record matches its hash and the audit chain, "
        "1 when it does not, 2 when there is no draw with that ID."
    )

    def add_arguments(self, parser):
        parser.add_argument("draw_id", nargs="?", help="The draw's ID.")
        parser.add_argument(
            "--all", dest="verify_all", action="store_true", help="Verify every draw, oldest first."
        )

    def handle(self, *args, draw_id=None, verify_all=False, **options):
        if verify_all == (draw_id is not None):
            raise CommandError(_("Give either one draw ID or --all."), returncode=EXIT_UNKNOWN)
        draws = SpotCheckDraw.objects.select_related("plan").order_by("pk")
        if verify_all:
            self._verify_all(draws)
            return
        draw = draws.filter(pk=int(draw_id)).first() if str(draw_id).isdigit() else None
        if draw is None:
            raise CommandError(
                _("There is no draw with ID %(id)s.") % {"id": draw_id}, returncode=EXIT_UNKNOWN
            )
        failures = self._report(draw)
        if failures:
            raise CommandError(
                _("Draw %(id)s is not valid: %(failures)s") % {"id": draw.pk, "failures": " ".join(failures)},
                returncode=EXIT_NOT_VALID,
            )

    def _verify_all(self, draws) -> None:
        invalid = []
        count = 0
        for count, draw in enumerate(draws.iterator(), start=1):
            if count > 1:
                self.stdout.write("")
            if self._report(draw):
                invalid.append(draw.pk)
        if not count:
            self.stdout.write(_("There are no draws to verify."))
            return
        self.stdout.write("")
        summary = ngettext(
            "%(count)d draw verified: %(valid)d valid, %(invalid)d not valid.",
            "%(count)d draws verified: %(valid)d valid, %(invalid)d not valid.",
            count,
        ) % {"count": count, "valid": count - len(invalid), "invalid": len(invalid)}
        if invalid:
            raise CommandError(
                summary + " " + _("Not valid: %(ids)s.") % {"ids": ", ".join(f"#{pk}" for pk in invalid)},
                returncode=EXIT_NOT_VALID,
            )
        self.stdout.write(self.style.SUCCESS(summary))

    def _report(self, draw: SpotCheckDraw) -> list[str]:
        """Print the draw and the verdict; return what failed (empty when valid)."""
        verification = draw_verify(draw=draw)
        write = self.stdout.write
        write(_("Draw ID: %(id)s") % {"id": draw.pk})
        write(_("Plan: %(plan)s (ID %(id)s)") % {"plan": draw.plan, "id": draw.plan_id})
        write(_("Draw number: %(sequence)s") % {"sequence": draw.sequence})
        if draw.reason:
            write(_("Reason for drawing again: %(reason)s") % {"reason": draw.reason})
        write(_("Public value: %(value)s") % {"value": draw.public_value})
        write(
            _("Drawn at: %(time)s (in the seed: %(iso)s)")
            % {
                "time": timezone.localtime(draw.drawn_at).strftime("%Y-%m-%d %H:%M:%S %Z"),
                "iso": draw.drawn_at.astimezone(UTC).isoformat(timespec="microseconds"),
            }
        )
        write(_("Seed: %(seed)s") % {"seed": draw.seed})
        write(_("Algorithm: %(algorithm)s") % {"algorithm": draw.algorithm})
        write(self._parameters(draw))
        write(
            _("Units in the population: %(units)s; team members: %(members)s; units excluded: %(excluded)s.")
            % {
                "units": _length(draw.population),
                "members": _length(draw.team),
                "excluded": _length(draw.excluded),
            }
        )
        units, members = _names(draw.population), _names(draw.team)
        for row in _rows(draw.excluded):
            write(
                "  - "
                + _("Excluded: %(unit)s (%(reason)s)")
                % {"unit": _label(units, row.get("id")), "reason": _excluded_reason(row.get("reason"))}
            )
        write(_("Units drawn, in the order drawn:"))
        self._write_result(draw.result, units, members)
        failures = _failures(verification)
        if not verification.result_matches and verification.recomputed_result:
            write(_("Re-running the draw gives instead:"))
            self._write_result(verification.recomputed_result, units, members)
        write(_("Record SHA-256: %(hash)s") % {"hash": draw.result_hash})
        if failures:
            write(self.style.ERROR(_("Verdict: NOT VALID.") + " " + " ".join(failures)))
        else:
            write(
                self.style.SUCCESS(
                    _(
                        "Verdict: VALID. Re-running the draw from its stored inputs gives the stored "
                        "result, and the record matches its SHA-256 and the audit chain."
                    )
                )
            )
        return failures

    def _write_result(self, result, units: dict, members: dict) -> None:
        rows = _rows(result)
        if not rows:
            self.stdout.write("  " + _("(none)"))
        for position, row in enumerate(rows, start=1):
            inspectors = row.get("inspectors") if isinstance(row.get("inspectors"), list) else []
            self.stdout.write(
                f"  {position}. "
                + _("%(unit)s: %(inspectors)s")
                % {
                    "unit": _label(units, row.get("unit")),
                    "inspectors": "、".join(_label(members, member) for member in inspectors) or "-",
                }
            )

    @staticmethod
    def _parameters(draw: SpotCheckDraw) -> str:
        if draw.mode == DrawMode.RATIO:
            how_many = _("%(percent)s%% of the eligible units") % {"percent": draw.requested}
        else:
            how_many = ngettext("%(count)d unit", "%(count)d units", draw.requested) % {
                "count": draw.requested
            }
        return _(
            "Parameters: %(how_many)s; at least one of each unit kind: %(by_kind)s; "
            "inspectors per unit: %(per_unit)s."
        ) % {
            "how_many": how_many,
            "by_kind": _("yes") if draw.by_unit_kind else _("no"),
            "per_unit": draw.inspectors_per_unit,
        }


def _failures(verification: DrawVerification) -> list[str]:
    failures = []
    if not verification.seed_matches:
        failures.append(
            _("The stored seed does not follow from the plan, draw number, public value and time.")
        )
    if not verification.result_matches:
        if verification.problem:
            failures.append(
                _("Re-running the draw from the stored inputs fails: %(problem)s")
                % {"problem": verification.problem}
            )
        else:
            failures.append(_("Re-running the draw from the stored inputs gives a different result."))
    if not verification.record_hash_matches:
        failures.append(_("The stored record does not match its SHA-256: it was changed after the draw."))
    if not verification.chain_matches:
        failures.append(_("The audit chain does not hold this draw's SHA-256 (exactly once)."))
    return failures


def _excluded_reason(reason) -> str:
    if reason == "conflict-of-interest":
        return _("too few inspectors without a conflict of interest")
    return str(reason)


# The stored JSON is read defensively: this command exists to look at records that may have been altered.


def _rows(value) -> list[dict]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _length(value) -> str:
    return str(len(value)) if isinstance(value, list) else "?"


def _names(snapshot) -> dict:
    return {str(row.get("id")): row.get("name") for row in _rows(snapshot)}


def _label(names: dict, key) -> str:
    name = names.get(str(key))
    return f"{name} (#{key})" if name else f"#{key}"
