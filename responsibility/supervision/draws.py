"""The spot-check draw (随机抽查, 双随机): which units are checked, and by which inspectors.

Pure functions, no database: the service snapshots the population and the team, calls `draw_run`, and
stores inputs and result together; `verify_draw` calls `draw_run` again on the stored inputs.

Algorithm `sha256-rank/1`, written so that anyone can redo it by hand with a SHA-256 tool:

1. seed = SHA-256 of "sha256-rank/1|plan=<plan id>|draw=<draw number>|public=<public value>|at=<drawn at,
   ISO 8601 UTC with microseconds>", in hex. The public value is read out at the meeting, so nobody
   knows the seed before the draw.
2. A unit's rank key is SHA-256("<seed>|unit=<unit id>") in hex; a smaller key ranks first.
3. Units where fewer inspectors than needed are free of a conflict of interest (an inspector's own
   unit) are excluded, each with its reason.
4. How many: N itself, or ceil(percentage × eligible units / 100), at least 1.
5. With "at least one of each unit kind": first the best-ranked unit of each kind (kinds sorted by
   their stored code, e.g. party_committee before working_body), then the rest by rank until N units
   are chosen. Without it: the N best-ranked units.
6. Inspectors, unit by unit in the order chosen: among the team members without a conflict in the unit,
   those with the fewest units so far, then by the key SHA-256("<seed>|unit=<unit id>|inspector=<user id>").
"""

import hashlib
import json
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ApplicationError

ALGORITHM = "sha256-rank/1"
MAX_PUBLIC_VALUE_LENGTH = 64


class DrawRefused(ApplicationError):
    """The draw cannot be made with these inputs; nothing was drawn."""


@dataclass(frozen=True)
class PopulationUnit:
    id: int
    code: str
    name: str
    kind: str

    def as_json(self) -> dict:
        return {"id": self.id, "code": self.code, "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class TeamMember:
    id: int
    name: str
    units: tuple[int, ...]  # units the inspector holds a post in: a conflict of interest there

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "units": list(self.units)}


@dataclass(frozen=True)
class DrawParameters:
    mode: str  # "count" or "ratio" (DrawMode)
    requested: int  # a number of units, or a percentage 1–100
    by_unit_kind: bool
    inspectors_per_unit: int


@dataclass(frozen=True)
class DrawOutcome:
    seed: str
    excluded: list[dict]  # [{"id": unit id, "reason": text}]
    result: list[dict]  # [{"unit": unit id, "inspectors": [user ids]}], in the order drawn


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def draw_seed(*, plan_id: int, sequence: int, public_value: str, drawn_at_iso: str) -> str:
    return _sha256(f"{ALGORITHM}|plan={plan_id}|draw={sequence}|public={public_value}|at={drawn_at_iso}")


def rank_key_input(*, seed: str, unit_id: int) -> str:
    """The text whose SHA-256 is a unit's rank key (step 2)."""
    return f"{seed}|unit={unit_id}"


def inspector_key_input(*, seed: str, unit_id: int, member_id: int) -> str:
    """The text whose SHA-256 orders the inspectors free for a unit (step 6)."""
    return f"{seed}|unit={unit_id}|inspector={member_id}"


def public_value_clean(value: str) -> str:
    """The public value as entered, without surrounding blanks; refused when missing or too long."""
    value = (value or "").strip()
    if not value:
        raise DrawRefused(_("Enter the public value read out at the draw (for example a lottery number)."))
    if len(value) > MAX_PUBLIC_VALUE_LENGTH:
        raise DrawRefused(
            _("The public value may be at most %(max)d characters.") % {"max": MAX_PUBLIC_VALUE_LENGTH}
        )
    return value


def draw_run(
    *,
    seed: str,
    population: list[PopulationUnit],
    team: list[TeamMember],
    parameters: DrawParameters,
) -> DrawOutcome:
    """Draw units and inspectors. The same inputs always give the same outcome."""
    if not population:
        raise DrawRefused(_("The plan has no units in scope to draw from."))
    if parameters.inspectors_per_unit < 1:
        raise DrawRefused(_("At least one inspector must check each unit."))
    if len(team) < parameters.inspectors_per_unit:
        raise DrawRefused(
            _("The plan's team has %(team)d members; %(needed)d inspectors per unit are asked for.")
            % {"team": len(team), "needed": parameters.inspectors_per_unit}
        )

    population = sorted(population, key=lambda unit: unit.id)
    team = sorted(team, key=lambda member: member.id)
    free = {unit.id: [member for member in team if unit.id not in member.units] for unit in population}
    excluded = [
        {"id": unit.id, "reason": "conflict-of-interest"}
        for unit in population
        if len(free[unit.id]) < parameters.inspectors_per_unit
    ]
    excluded_ids = {row["id"] for row in excluded}
    eligible = [unit for unit in population if unit.id not in excluded_ids]
    if not eligible:
        raise DrawRefused(
            _("Every unit in scope is excluded: too few inspectors without a conflict of interest.")
        )

    wanted = _wanted(parameters, eligible=len(eligible))
    key = {unit.id: _sha256(rank_key_input(seed=seed, unit_id=unit.id)) for unit in eligible}
    ranked = sorted(eligible, key=lambda unit: key[unit.id])

    chosen: list[PopulationUnit] = []
    if parameters.by_unit_kind:
        kinds = sorted({unit.kind for unit in eligible})
        if wanted < len(kinds):
            raise DrawRefused(
                _("At least one unit of each kind needs %(kinds)d units; only %(wanted)d are to be drawn.")
                % {"kinds": len(kinds), "wanted": wanted}
            )
        for kind in kinds:
            chosen.append(next(unit for unit in ranked if unit.kind == kind))
    picked = {unit.id for unit in chosen}
    chosen.extend([unit for unit in ranked if unit.id not in picked][: wanted - len(chosen)])

    load = {member.id: 0 for member in team}
    result = []
    for unit in chosen:
        candidates = sorted(
            free[unit.id],
            key=lambda member: (
                load[member.id],
                _sha256(inspector_key_input(seed=seed, unit_id=unit.id, member_id=member.id)),
            ),
        )
        inspectors = [member.id for member in candidates[: parameters.inspectors_per_unit]]
        for member_id in inspectors:
            load[member_id] += 1
        result.append({"unit": unit.id, "inspectors": inspectors})
    return DrawOutcome(seed=seed, excluded=excluded, result=result)


def _wanted(parameters: DrawParameters, *, eligible: int) -> int:
    if parameters.mode == "ratio":
        if not 1 <= parameters.requested <= 100:
            raise DrawRefused(_("The percentage must be between 1 and 100."))
        return max(1, math.ceil(eligible * parameters.requested / 100))
    if parameters.requested < 1:
        raise DrawRefused(_("Draw at least one unit."))
    if parameters.requested > eligible:
        raise DrawRefused(
            _("Only %(eligible)d units can be drawn from this plan's scope; %(requested)d were asked for.")
            % {"eligible": eligible, "requested": parameters.requested}
        )
    return parameters.requested


def draw_record_hash(
    *,
    plan_id: int,
    sequence: int,
    algorithm: str,
    public_value: str,
    drawn_at_iso: str,
    seed: str,
    parameters: DrawParameters,
    population: list[dict],
    team: list[dict],
    excluded: list[dict],
    result: list[dict],
) -> str:
    """SHA-256 over everything the draw read and wrote, in a canonical JSON form."""
    record = {
        "plan": plan_id,
        "draw": sequence,
        "algorithm": algorithm,
        "public_value": public_value,
        "drawn_at": drawn_at_iso,
        "seed": seed,
        "parameters": {
            "mode": parameters.mode,
            "requested": parameters.requested,
            "by_unit_kind": parameters.by_unit_kind,
            "inspectors_per_unit": parameters.inspectors_per_unit,
        },
        "population": population,
        "team": team,
        "excluded": excluded,
        "result": result,
    }
    return _sha256(json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


# --- 回头看: a re-check of closed problems, drawn the same way ---------------------------------------------
#
# 1. seed = SHA-256 of "sha256-rank/1|recheck=<recheck number>|public=<public value>|at=<drawn at, ISO 8601
#    UTC with microseconds>", in hex.
# 2. A closed problem's rank key is SHA-256("<seed>|finding=<finding id>") in hex; a smaller key ranks
#    first, and the N best-ranked problems are drawn.


def recheck_seed(*, number: int, public_value: str, drawn_at_iso: str) -> str:
    return _sha256(f"{ALGORITHM}|recheck={number}|public={public_value}|at={drawn_at_iso}")


def recheck_key_input(*, seed: str, finding_id: int) -> str:
    """The text whose SHA-256 is a closed problem's rank key (step 2)."""
    return f"{seed}|finding={finding_id}"


def recheck_run(*, seed: str, population: list[int], requested: int) -> list[int]:
    """The `requested` best-ranked problems of the population (finding ids), in the order drawn."""
    if not population:
        raise DrawRefused(
            _("No problem in this choice has been ticked off yet: there is nothing to re-check.")
        )
    if not 1 <= requested <= len(population):
        raise DrawRefused(
            _("Choose how many to re-check: from 1 to %(count)d, the closed problems in this choice.")
            % {"count": len(population)}
        )
    ranked = sorted(
        population, key=lambda finding_id: _sha256(recheck_key_input(seed=seed, finding_id=finding_id))
    )
    return ranked[:requested]


def recheck_record_hash(
    *,
    number: int,
    public_value: str,
    drawn_at_iso: str,
    seed: str,
    scope: dict,
    population: list[dict],
    result: list[int],
) -> str:
    """SHA-256 over everything the re-check draw read and wrote, in a canonical JSON form."""
    record = {
        "recheck": number,
        "algorithm": ALGORITHM,
        "public_value": public_value,
        "drawn_at": drawn_at_iso,
        "seed": seed,
        "scope": scope,
        "population": population,
        "result": result,
    }
    return _sha256(json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
