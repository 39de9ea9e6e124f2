"""The job kinds the app offers: check always; plan and risk when those modules are present.

Plan and risk are found at call time (`importlib`), so this build serves
whichever of them exists, and says why a kind is unavailable otherwise.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mixedcrew.check import check
from mixedcrew.domain import Scenario
from mixedcrew.instants import Instant, format_instant
from mixedcrew.io.events import parse_event, validate_events
from mixedcrew.io.locate import format_path
from mixedcrew.io.scenario_file import dump_scenario
from mixedcrew.rules import RULES, Violation
from mixedcrew.timeline import Timeline
from mixedcrew.web.jobs.runner import JobContext, JobKind, JobOutcome, Kinds

if TYPE_CHECKING:  # the planner loads OR-Tools: only a plan job imports it, at run time
    from mixedcrew.plan.result import Clock


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


MAX_EVENTS = 20


def _events(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Event tables as a scenario's [[events]] holds them, each checked for its shape here (against
    the scenario when the job runs): a bad one is refused when the job is asked for, not later."""
    problems = []
    for i, item in enumerate(value):
        _, found = parse_event(item)
        problems += [f"event {i}: {format_path(path) or 'event'}: {msg}" for path, msg in found]
    if problems:
        raise ValueError("; ".join(problems))
    return value


def scenario_events(scenario: Scenario, items: list[dict[str, Any]], field: str) -> list[Any]:
    """The events of a job's parameters, checked against the scenario (unknown flights, sites...)."""
    events = [e for e in (parse_event(item)[0] for item in items) if e is not None]
    problems = [f"{field} {k}: {format_path(path)}: {msg}"
                for k, path, msg in validate_events(scenario, events)]
    if problems:
        raise ValueError("; ".join(problems))
    return events


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
    found: list[Violation] = []
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


def entry_missing(module: str, name: str) -> str | None:
    """Why `module.name` cannot be used here, or None when it can.

    A module not imported yet is only looked for, not imported: every scenario page asks,
    and importing the planner (OR-Tools, pandas) took a second or two on the first page a
    server drew. Its `name` is then checked when a job of the kind starts and imports it.
    """
    found = sys.modules.get(module)
    if found is None:
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} is not part of this installation (no module named {module!r})"
        except ImportError as err:
            return f"{module} is not part of this installation ({err})"
        return None
    if not callable(getattr(found, name, None)):
        return f"{module} has no {name}() in this version"
    return None


# --- plan ------------------------------------------------------------------------------


class PlanParams(Params):
    until: Instant | None = Field(default=None, description="plan flights launching before this")
    time_limit: float = Field(default=60.0, gt=0, le=600, description="wall-clock seconds, all levels")
    seed: int = Field(default=0, ge=0, description="solver random seed")
    workers: int = Field(default=1, ge=1, le=16,
                         description="solver threads (1 is deterministic and fastest on 2 cores)")
    work_limit: float | None = Field(
        default=None, gt=0, le=600, description="the solver's deterministic seconds per level: the same "
                                                "plan on every run (and after a resumed job), on any machine")
    best_effort: bool = Field(default=False, description="when no plan keeps every rule, save the one "
                                                         "that breaks the fewest (it says which)")


def run_plan(scenario: Scenario, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """The planner (mixedcrew.plan.plan_scenario); the plan is saved as a new scenario.

    It stops on request at its next solution or level, at the latest at its time limit.
    """
    from mixedcrew.plan import SolveOptions, plan_scenario
    from mixedcrew.plan.result import BEST_EFFORT_PLAN_SHARE, Clock

    p = PlanParams.model_validate(params)
    order = list(scenario.planning.order)

    def progress(level: str, elapsed: float, best: float | None, bound: float | None) -> None:
        done = (order.index(level) + 0.5) / len(order) if level in order else elapsed / p.time_limit
        shown = "-" if best is None else f"{best:,.0f}"
        ctx.progress(min(done, 0.99), f"level {level}: best {shown}, bound "
                                      f"{'-' if bound is None else f'{bound:,.0f}'} after {elapsed:.1f} s")

    ctx.progress(0.0, "building the model", force=True)
    options = SolveOptions(time_limit=p.time_limit, seed=p.seed, workers=p.workers, work_limit=p.work_limit,
                           progress=progress)
    # one clock for the whole job, as on the command line: with best effort the full plan gets
    # half of it and the best effort what is left, so the job never outlasts its time limit
    clock = Clock(p.time_limit)
    r = plan_scenario(scenario, p.until, options,
                      clock=clock.part(BEST_EFFORT_PLAN_SHARE) if p.best_effort else clock)
    result = r.as_json()
    result["explanations"] = [f.sentence for f in r.facts]
    if p.best_effort and r.status in ("infeasible", "unknown"):
        return _best_effort(scenario, p, options, result, ctx, clock)
    if r.status == "infeasible":
        if not r.facts:
            result["explanations"] = ["The solver proved that no plan exists but could not name a "
                                      "minimal set of conflicting facts in time."]
        return JobOutcome(result, "no plan exists")
    if r.status == "unknown":
        return JobOutcome(result, f"no plan found in {r.seconds:.1f} s (not proven impossible): "
                                  "give it a longer time limit")
    planned = r.planned_flights
    if r.status != "planned" or r.plan is None:
        return JobOutcome(result, "nothing to plan")
    result.update(planned_result(scenario, r.plan, planned))
    name = f"{scenario.scenario.name or 'scenario'}: plan"
    header = f"Planned by mixedcrew (job {ctx.job_id}): {', '.join(planned)}"
    return JobOutcome(result, f"planned {len(planned)} flight{'s' if len(planned) != 1 else ''}",
                      scenario_toml=dump_scenario(r.plan, header=header), scenario_name=name)


def _best_effort(scenario: Scenario, p: PlanParams, options: Any, result: dict[str, Any],
                 ctx: JobContext, clock: Clock) -> JobOutcome:
    from mixedcrew.plan.best_effort import best_effort_plan

    ctx.progress(0.5, "no plan keeps every rule: looking for the one that breaks the fewest", force=True)
    done = best_effort_plan(scenario, p.until, options, clock=clock)
    if done.plan is None:
        return JobOutcome(result, "no plan exists, not even one breaking rules")
    out = done.as_json()
    out["explanations"] = result["explanations"]
    out["given_up"] = [f.sentence for f in done.broken]
    planned = done.result.planned_flights
    out.update(planned_result(scenario, done.plan, planned))
    header = f"Best-effort plan by mixedcrew (job {ctx.job_id}): breaks {len(done.broken)} facts"
    return JobOutcome(out, f"best-effort plan: {len(done.broken)} fact(s) given up",
                      scenario_toml=dump_scenario(done.plan, header=header),
                      scenario_name=f"{scenario.scenario.name or 'scenario'}: best-effort plan")


def planned_result(before: Scenario, plan: Scenario, planned: list[str] | tuple[str, ...] | None = None,
                   since: datetime | None = None) -> dict[str, Any]:
    """The planned flights (None: those that differ after `since`) with their crews by name, and what
    differs from the input, for the job page."""
    from mixedcrew.whatif.diff import compare_manifests

    diff = compare_manifests(before, plan, since=since)
    if planned is None:
        planned = list(dict.fromkeys(c.flight for c in diff.flights if c.flight in plan.flight_by_id))
    people = plan.person_by_id

    def crew(ids: list[str]) -> list[str]:
        return [f"{people[i].name} ({people[i].agency})" if i in people else i for i in ids]

    flights = []
    for fid in planned:
        f = plan.flight_by_id[fid]
        up = [a.person for a in plan.riders_up(fid)]
        down = [a.person for a in plan.riders_down(fid)]
        flights.append({"flight": fid, "label": f.label, "vehicle_type": f.vehicle_type, "port": f.port,
                        "launch": format_instant(f.launch) if f.launch else None,
                        "land": format_instant(f.land) if f.land else None,
                        "up": crew(up), "down": crew(down)})
    return {"planned": flights, "changes": diff.as_json(),
            "change_lines": diff.lines(("the input", "the plan"))}


PLAN = JobKind("plan", "Plan", "Fill the open flights (launch, port, crew) so that every rule holds; "
               "the plan is saved as a new scenario, or the conflicting facts are listed.",
               run_plan, PlanParams, unavailable=lambda: entry_missing("mixedcrew.plan", "plan_scenario"))


# --- risk ------------------------------------------------------------------------------


class RiskParams(Params):
    trials: int = Field(default=10_000, ge=1, le=2_000_000, description="Monte Carlo trials")
    seed: int = Field(default=0, ge=0, description="the same seed gives the same numbers")
    compare: Literal["segregated"] | None = Field(
        default="segregated", description="also play the manifest with each agency on its own vehicles")
    start: Instant | None = Field(default=None, alias="from", description="window start")
    end: Instant | None = Field(default=None, alias="until", description="window end")
    stress: list[dict[str, Any]] = Field(
        default=[], max_length=MAX_EVENTS, description="events played in every trial (as [[events]] tables), "
                                                       "paired with the same trials without them")

    @field_validator("stress")
    @classmethod
    def _stress_shape(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _events(value)


def run_risk(scenario: Scenario, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """The risk engine (mixedcrew.risk.assess_risk), fast engine, in this process."""
    from mixedcrew.risk import assess_risk

    p = RiskParams.model_validate(params)

    def progress(totals: Any) -> None:
        ctx.progress(totals.trials / p.trials, f"{totals.trials:,} of {p.trials:,} trials")

    ctx.progress(0.0, "compiling the manifest", force=True)
    if p.stress:
        from mixedcrew.risk import assess

        stress = scenario_events(scenario, p.stress, "stress")
        r: Any = assess(scenario, stress, trials=p.trials, seed=p.seed, compare=p.compare, start=p.start,
                        end=p.end, progress=progress)
    else:
        r = assess_risk(scenario, trials=p.trials, seed=p.seed, compare=p.compare, start=p.start, end=p.end,
                        progress=progress)
    result = r.as_json()
    result["headline"] = r.sentence()
    result["figures"] = risk_figures(result)
    return JobOutcome(result, f"{p.trials:,} trials")


def risk_figures(data: dict[str, Any]) -> list[list[str]]:
    """[measure, value with its 95% interval] for the whole window, read from the JSON."""
    def pct(e: dict[str, float]) -> str:
        return f"{100 * e['value']:.1f}% ({100 * e['low']:.1f} to {100 * e['high']:.1f})"

    rows = []
    for variant, v in (data.get("metrics") or {}).items():
        for segment, m in (v.get("segments") or {}).items():
            window = (m.get("p_ever_without_operator") or {}).get("window")
            if window:
                rows.append([f"P({segment} ever without operator), {variant}", pct(window)])
    emptied = ((data.get("whole_station") or {}).get("p_emptied") or {}).get("window")
    if emptied:
        rows.append(["P(station emptied)", pct(emptied)])
    return rows


RISK = JobKind("risk", "Risk", "Monte Carlo of groundings, slips, damage and medical returns over this "
               "manifest, compared with each agency flying only its own vehicles.",
               run_risk, RiskParams, unavailable=lambda: entry_missing("mixedcrew.risk", "assess_risk"))


# --- what-if ---------------------------------------------------------------------------


class WhatIfParams(Params):
    events: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_EVENTS,
                                         description="what happens (as [[events]] tables)")
    trials: int = Field(default=2_000, ge=0, le=200_000,
                        description="risk trials for each manifest (0: none)")
    seed: int = Field(default=0, ge=0, description="the same seed gives the same numbers")
    time_limit: float = Field(default=60.0, gt=0, le=600, description="wall-clock seconds for the re-plan")
    best_effort: bool = Field(default=True, description="when no re-plan keeps every rule, the one breaking "
                                                        "the fewest")
    name: str = Field(default="", max_length=200,
                      description="the name of the branch the re-plan is saved as")

    @field_validator("events")
    @classmethod
    def _events_shape(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _events(value)


def run_whatif(scenario: Scenario, params: dict[str, Any], ctx: JobContext) -> JobOutcome:
    """The what-if engine (mixedcrew.whatif.run.what_if): re-plan after the events, compare, risk of both.
    The new manifest is saved as a new scenario; the one the job ran on is left as it is."""
    from mixedcrew.plan import SolveOptions
    from mixedcrew.whatif.run import as_json, figure_lines, summary_lines, what_if

    p = WhatIfParams.model_validate(params)
    events = scenario_events(scenario, p.events, "events")
    ctx.progress(0.0, "re-planning with the events", force=True)
    w = what_if(scenario, events, trials=p.trials, seed=p.seed, best_effort=p.best_effort,
                options=SolveOptions(time_limit=p.time_limit, seed=p.seed, workers=1))
    result = as_json(w)
    result["lines"] = summary_lines(w) + figure_lines(w)
    if w.new is None:
        return JobOutcome(result, "no re-plan exists")
    result.update(planned_result(scenario, w.new, since=w.replanned.now))
    header = f"What-if by mixedcrew (job {ctx.job_id}): {', '.join(e.id for e in events)}"
    return JobOutcome(result, "re-planned" + (" (best effort)" if w.best_effort else ""),
                      scenario_toml=dump_scenario(w.new, header=header),
                      scenario_name=p.name.strip() or f"{scenario.scenario.name or 'scenario'}: what if "
                                                      f"{', '.join(e.id for e in events)}")


WHATIF = JobKind("whatif", "What if", "Events (a grounding, a damaged vehicle, an early return): re-plan "
                 "after them, compare old and new, and the risk of both; the new manifest is saved as a new "
                 "scenario, the live one is not touched.",
                 run_whatif, WhatIfParams,
                 unavailable=lambda: entry_missing("mixedcrew.plan", "plan_scenario"))


def default_kinds() -> Kinds:
    """Kinds served by `mixedcrew serve`, keyed by name (unavailable ones say why)."""
    return {k.name: k for k in (CHECK, PLAN, RISK, WHATIF)}
