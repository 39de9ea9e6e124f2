"""Docs whose examples run, the report that works offline, the public surface."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import mixedcrew
from mixedcrew import Timeline, check, load_scenario, loads_scenario
from mixedcrew.report.html import ports_figure, render_report, stays_figure
from mixedcrew.summary import ledgers, summarise

ROOT = Path(__file__).resolve().parent.parent


def test_scenario_doc_example_is_the_small_example_and_loads():
    """docs/scenario.md's complete example loads, and is examples/small.toml verbatim."""
    doc = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, flags=re.S)
    assert len(blocks) == 1
    assert blocks[0] == (ROOT / "examples" / "small.toml").read_text(encoding="utf-8")
    s = loads_scenario(blocks[0], "docs/scenario.md")
    assert {f.id for f in s.flights} == {"MS22", "SPXC5", "MS23"}
    assert [v.rule for v in check(s).violations] == ["LIFEBOAT"]


def test_scenario_doc_describes_every_section():
    """Every top-level section of the schema has a heading in docs/scenario.md."""
    doc = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    for name, info in mixedcrew.Scenario.model_fields.items():
        is_list = str(info.annotation).startswith("tuple")
        heading = f"### `[[{name}]]`" if is_list else f"### `[{name}]`"
        assert heading in doc, name


def test_readme_shows_the_two_commands_first():
    """The README opens with what mixedcrew is, then `make demo` and `make test`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_code = text.index("```")
    assert text.index("make demo") > first_code and text.index("make test") > first_code
    assert text.index("make demo") < text.index("## Using it")


def test_report_is_standalone_and_draws_every_stay(tmp_path):
    """The HTML embeds plotly.js (no external script) and has one bar per stay and docking."""
    s = load_scenario(ROOT / "examples" / "small.toml")
    tl = Timeline(s)
    result = check(s, tl)
    page = render_report(s, tl, result, summarise(s, tl, result))
    assert "<script src=" not in page
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # the library itself is inline
    stays, ports = stays_figure(s, tl), ports_figure(s, tl)
    assert sum(len(trace.x) for trace in stays.data) == len(tl.stays) == 7
    assert sum(len(trace.x) for trace in ports.data) == len(tl.dockings) == 3
    assert {trace.name for trace in stays.data} == {"NASA", "ROSCOSMOS", "JAXA"}
    assert page.count('class="plotly-graph-div"') == 3
    for stay in tl.stays:
        assert s.person_by_id[stay.person].short_name in page
    assert "LIFEBOAT" in page and "7 people aboard ISS but only 4 lifeboat seats" in page


def test_report_escapes_text():
    """Names and messages are HTML-escaped in the tables."""
    text = (ROOT / "examples" / "small.toml").read_text(encoding="utf-8").replace(
        'name = "Rubio, Francisco"', 'name = "Rubio, <script>alert(1)</script>"')
    s = loads_scenario(text)
    tl = Timeline(s)
    result = check(s, tl)
    page = render_report(s, tl, result, summarise(s, tl, result))
    assert "<script>alert(1)</script>" not in page.split("<footer>")[0].split("Violations</h2>")[1]


def test_ledger_per_year_on_the_iss():
    """NASA and ROSCOSMOS seats received per year under the integrated-crew agreement."""
    s = load_scenario(ROOT / "examples" / "iss.toml")
    (ledger,) = ledgers(s)
    assert ledger.per_year[2022] == {"NASA": 1, "ROSCOSMOS": 1}
    assert ledger.per_year[2023] == {"NASA": 1, "ROSCOSMOS": 2}
    assert ledger.totals() == {"NASA": 6, "ROSCOSMOS": 8}


def test_public_surface_matches_all():
    """`mixedcrew.__all__` lists exactly the public names the package exports (loaded on first use)."""
    public = {n for n in dir(mixedcrew)
              if not n.startswith("_") and not inspect.ismodule(getattr(mixedcrew, n))} - {
        "annotations", "TYPE_CHECKING"}
    assert public == set(mixedcrew.__all__) - {"__version__"}
    for name in mixedcrew.__all__:
        assert hasattr(mixedcrew, name)
