"""The job kinds the app offers: check always; plan and risk when those modules are present.

Plan and risk are found at call time (`importlib`), so this build serves
whichever of them exists, and says why a kind is unavailable otherwise.
"""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mixedcrew.check import check
from mixedcrew.domain import Scenario
from mixedcrew.instants import Instant
from mixedcrew.rules import RULES
from mixedcrew.timeline import Timeline
from mixedcrew.web.jobs import JobContext, JobKind, JobOutcome, Kinds


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CheckParams(Params):
    ignore: list[str] = Field(default=[], description="rule ids to skip")
    start: Instant | None = Field(default=None, alias="from", description="only violations from here")
    end: Instant | None = Field(default=None, alias="until", description="only violations before here")

    @field_validator("ignore")
    @classmethod
    def _known_rules(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r.upper() not in RULES]
        if unknown:
            raise ValueError(f"unknown rule id {', '.join(unknown)}: the rules are {', '.join(RULES)}")
        return [r.upper() for r in value]


def run_check(scenario: Scenario, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """Every rule in turn over the manifest, reporting progress per rule."""
    p = CheckParams.model_validate(params)
    ctx.progress(0.0, "building the timeline", force=True)
    tl = Timeline(scenario)
    rules = [r for r in RULES if r not in p.ignore]
    found = []
    for i, rule_id in enumerate(rules):
        ctx.progress(0.1 + 0.9 * i / len(rules), f"checking {rule_id}")
        others = [r for r in RULES if r != rule_id]
        found.extend(check(scenario, tl, start=p.start, end=p.end, ignore=others).violations)
    found.sort(key=lambda v: (v.start, v.rule, v.end, v.flights, v.people))
    by_rule = {r: sum(1 for v in found if v.rule == r) for r in rules}
    result = {"violations": [v.as_json() for v in found],
              "summary": {"violations": len(found), "by_rule": by_rule, "rules_run": rules}}
    n = len(found)
    return JobOutcome(result, f"{n} violation{'s' if n != 1 else ''}")


CHECK = JobKind("check", "Check", "Run every rule over the manifest and list the violations.",
                run_check, CheckParams)


def module_missing(name: str) -> str | None:
    """Why `name` cannot be used here, or None when it imports."""
    try:
        importlib.import_module(name)
    except ImportError as err:
        return f"{name} is not part of this installation ({err})"
    return None


def default_kinds() -> Kinds:
    """Kinds served by `mixedcrew serve`, keyed by name."""
    kinds = [CHECK]
    return {k.name: k for k in kinds}
