"""The claim checks' backend over the real store: coalitions, metrics, commitments, treaties.

Data the store lacks comes back as a Figure without a value and with `missing` saying what is
absent; the errors that mean "no such data" (a year outside the series, an edition not stored,
strict refusals) are turned into the same. Input errors (an expression that does not parse, an
unknown country or metric) propagate: they are mistakes in the claim file.

One backend checks one claim file: it remembers every answer it gave (a file asks the same
coalitions, figures and editions again and again), so the store is asked each question once and
checking costs the same per claim however many claims the file has. Every answer is computed
from the store alone, which does not change during a check, so a remembered answer is the answer
(tests check the verdicts against each claim checked alone on a backend that remembers nothing
across claims and reads only the figures asked).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import Any, TypeVar

from alliance.claims.backend import (
    ClauseFact,
    CountryFigure,
    Members,
    MetricOptions,
    PledgeFact,
    TargetFact,
)
from alliance.claims.model import Figure, SourceRow
from alliance.errors import NO_DATA_ERRORS, AllianceError

_MEMBERSHIP_FILE = "memberships.csv"
# Asks of a kind of figure about countries outside the shipped groups after which the kind is
# read for every country at once (see _FigureReader)
PREFETCH_AFTER = 8
Answer = TypeVar("Answer")
Fetch = Callable[..., list[dict[str, Any]]]


class StoreBackend:
    """Answers the checks from the shipped data and the user's store, each question once."""

    def __init__(self, fetch: Fetch | None = None) -> None:
        """`fetch`: how figures are read, as `observation_records` reads them (the default:
        `_FigureReader`, which batches the kinds of figure a file asks for again and again)."""
        self._answers: dict[tuple[str, Hashable], Any] = {}
        self._fetch = fetch or _FigureReader()

    def _once(self, question: str, key: Hashable, compute: Callable[[], Answer]) -> Answer:
        """The remembered answer to (question, key), computed the first time it is asked."""
        slot = (question, key)
        if slot not in self._answers:
            self._answers[slot] = compute()
        answer: Answer = self._answers[slot]
        return answer

    def resolve_country(self, text: str) -> str:
        from alliance.countries import resolve_country

        return self._once("country", text, lambda: resolve_country(text))

    def members(self, expression: str, on: date) -> Members:
        return self._once("members", (expression, on), lambda: self._members(expression, on))

    def _members(self, expression: str, on: date) -> Members:
        from alliance.coalitions import coalition

        group = coalition(expression, on)
        return Members(expression, on, group.members, _membership_rows(expression, on))

    def aggregate(self, expression: str, options: MetricOptions) -> Figure:
        return self._once(
            "aggregate", (expression, options), lambda: self._aggregate(expression, options)
        )

    def _aggregate(self, expression: str, options: MetricOptions) -> Figure:
        from alliance import metrics

        metric, kwargs = _metric_call(options)
        target: Any = expression
        if options.on is not None:
            from alliance.coalitions import coalition

            target = coalition(expression, options.on)
        try:
            result = metrics.aggregate(
                target, metric, options.year, fetch=self._observations, **kwargs
            )
        except NO_DATA_ERRORS as error:
            return Figure(None, "", options.describe(), missing=(str(error),))
        missing = tuple(f"{m}: no {result.metric} figure for {result.year}" for m in result.missing)
        return Figure(
            result.value,
            _unit(result.unit),
            result.definition,
            result.members,
            missing,
            _aggregate_rows(result),
            tuple(result.zeros),
        )

    def _observations(self, indicator: str, **filters: Any) -> list[dict[str, Any]]:
        """`observation_records`, each selection answered once (the metrics' fetch)."""
        key = (indicator, *((k, _hashable(v)) for k, v in sorted(filters.items())))
        rows = self._once("observations", key, lambda: self._fetch(indicator, **filters))
        return list(rows)

    def per_country(self, expression: str, options: MetricOptions) -> list[CountryFigure]:
        answer = self._once(
            "per_country", (expression, options), lambda: self._per_country(expression, options)
        )
        return list(answer)

    def _per_country(self, expression: str, options: MetricOptions) -> list[CountryFigure]:
        on = options.on or date(options.year, 7, 1)
        members = self.members(expression, on).members
        if options.metric == "defence_share_gdp":
            return _published_shares(members, options, self._observations, self._edition_rows)
        return [CountryFigure(country, self.aggregate(country, options)) for country in members]

    def _edition_rows(self, row: SourceRow) -> tuple[SourceRow, ...]:
        key = (row.source, row.edition, row.dataset)
        return self._once("edition", key, lambda: _edition_rows(row))

    def pledges(self, country: str) -> tuple[PledgeFact, ...]:
        return self._once("pledges", country, lambda: _pledges(country))

    def target(self, name: str) -> TargetFact | None:
        return self._once("target", name, lambda: _target(name))

    def clause(self, target: str, clause: str, on: date) -> ClauseFact | None:
        return self._once("clause", (target, clause, on), lambda: _clause(target, clause, on))


class _FigureReader:
    """Figures as `observation_records` returns them, read a kind of figure (source, indicator,
    unit, prices...) at a time through `metrics.engine.Prefetched`, which returns the same rows:

    - for members of the shipped groups (NATO, EU, JEF, ...: the subjects of nearly every claim),
      each kind of figure is read once for all of them and every year, and each ask (a share's
      part and whole, its readings, a threshold's years) answered from those rows;
    - for other countries, the first PREFETCH_AFTER - 1 asks of a kind are narrow queries, and
      from then on the kind is read once for every country (a long file about many countries).
    """

    def __init__(self) -> None:
        from alliance.memberships import membership_rows
        from alliance.metrics.engine import Prefetched

        self._grouped = frozenset(row.iso3 for row in membership_rows())
        self._group_members: Fetch = Prefetched(sorted(self._grouped))
        self._asks: Counter[tuple[Any, ...]] = Counter()
        self._every_country: Fetch | None = None

    def __call__(
        self,
        indicator: str,
        *,
        entities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        **filters: Any,
    ) -> list[dict[str, Any]]:
        from alliance.observations import observation_records

        if entities is not None and self._grouped.issuperset(entities):
            return self._group_members(indicator, entities=entities, years=years, **filters)
        kind = (indicator, *sorted(filters.items()))
        self._asks[kind] += 1
        if entities is None or self._asks[kind] < PREFETCH_AFTER:
            return observation_records(indicator, entities=entities, years=years, **filters)
        if self._every_country is None:
            from alliance.metrics.engine import Prefetched
            from alliance.store import shared_connection

            countries = shared_connection().execute("SELECT iso3 FROM countries").fetchall()
            self._every_country = Prefetched([row[0] for row in countries])
        return self._every_country(indicator, entities=entities, years=years, **filters)


def _hashable(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


def _pledges(country: str) -> tuple[PledgeFact, ...]:
    from alliance.commitments import all_pledges

    return tuple(
        PledgeFact(
            country,
            p.target_percent,
            p.target_year,
            p.statement,
            (_cited_row("pledges.csv", p.pledge, country, p.source_title, p.source_url),),
            p.announced,
        )
        for p in all_pledges()
        if p.iso3 == country and p.measure == "defence_share_gdp"
    )


def _target(name: str) -> TargetFact:
    from alliance.commitments import find_target

    found = find_target(name)  # an unknown name is a mistake in the file: it raises
    return TargetFact(
        found.target,
        found.threshold_percent,
        found.deadline_year,
        found.name,
        (_cited_row("targets.csv", found.target, None, found.source_title, found.source_url),),
    )


def _clause(target: str, clause: str, on: date) -> ClauseFact | None:
    from alliance.treaties import obligations

    result = obligations(target, on, with_capacity=False)
    for item in result.clauses:
        if item.clause_id == clause.lower():
            row = SourceRow(
                "treaty clauses",
                dataset=item.treaty,
                entity=item.article,
                citation=item.citation,
            )
            place = result.place
            territory = SourceRow(
                "territories",
                entity=place.territory_id or place.sovereign,
                locator=place.how,
            )
            reason = item.reason + (f" {item.caveat}" if item.caveat else "")
            return ClauseFact(item.clause_id, item.applies, item.bound, reason, (row, territory))
    return None


def _metric_call(options: MetricOptions) -> tuple[str, dict[str, Any]]:
    metric = options.metric
    if metric == "gdp" and options.basis == "ppp":
        metric = "gdp_ppp"
    kwargs: dict[str, Any] = {"definition": options.definition, "edition": options.edition}
    if options.source:
        kwargs["source"] = options.source
    if metric in ("gdp", "defence"):
        kwargs["prices"] = options.prices
    return metric, kwargs


def _unit(unit: str) -> str:
    """metrics' units ('billion USD', 'billion international $') in the claims' spelling."""
    return unit.replace("international $", "INTL")


def _aggregate_rows(result: Any) -> tuple[SourceRow, ...]:
    editions = [
        SourceRow(s.source_id, s.edition, s.dataset, citation=s.citation or None, url=s.url or None)
        for s in result.sources
    ]
    single = result.sources[0] if len(result.sources) == 1 else None
    rows = [
        SourceRow(
            single.source_id
            if single
            else "; ".join(sorted({s.source_id for s in result.sources})),
            single.edition if single else None,
            single.dataset if single else None,
            figure.entity,
            result.year,
            ", ".join(figure.locators) or None,
            figure.numerator,
            result.metric,
            figure.estimate,
        )
        for figure in result.figures
        if figure.entity not in result.zeros
    ]
    return tuple(editions + rows + _zero_rows(result))


def _zero_rows(result: Any) -> list[SourceRow]:
    """A member counted as 0 cites the rule, not a row of a table it has none in."""
    from alliance.metrics import NO_ARMED_FORCES

    return [
        SourceRow(
            "nato",
            entity=entity,
            year=result.year,
            indicator=result.metric,
            citation=f"no figure, counted as 0: {NO_ARMED_FORCES[entity]}",
        )
        for entity in result.zeros
    ]


def _published_shares(
    members: tuple[str, ...],
    options: MetricOptions,
    observation_records: Fetch,
    edition_rows: Callable[[SourceRow], tuple[SourceRow, ...]],
) -> list[CountryFigure]:
    """Each member's published defence share of GDP: the figure the one edition rule chooses
    (the newest edition that has it, or the named edition), as `targets` shows it.
    """
    from alliance.observations import newest_per_figure

    source = options.source or options.definition
    try:
        records = observation_records(
            "defence_expenditure_share_gdp",
            entities=list(members),
            years=[options.year],
            source=source,
            edition=options.edition,
        )
    except NO_DATA_ERRORS as error:
        return [CountryFigure(m, Figure(None, "percent", missing=(str(error),))) for m in members]
    chosen = newest_per_figure(records)
    figures = []
    for member in members:
        rows = [r for r in chosen if r["entity"] == member and r["value"] is not None]
        if not rows:
            edition = options.edition or "any edition"
            why = f"no {options.year} figure in {source} ({edition})"
            figures.append(CountryFigure(member, Figure(None, "percent", missing=(why,))))
            continue
        row = rows[0]
        value = float(row["value"]) * (100.0 if row["unit"] == "fraction" else 1.0)
        source_row = SourceRow(
            str(row["source_id"]),
            str(row["edition"]),
            str(row["dataset"]),
            member,
            options.year,
            row["locator"] if isinstance(row["locator"], str) else None,
            value,
            "defence_expenditure_share_gdp",
            bool(row["estimate"]) if row["estimate"] is not None else None,
        )
        used = (*edition_rows(source_row), source_row)
        figures.append(CountryFigure(member, Figure(value, "percent", sources=used)))
    return figures


def _edition_rows(row: SourceRow) -> tuple[SourceRow, ...]:
    """The edition a row came from, with its citation (none when the store cannot say)."""
    from alliance.observations import edition_record

    try:
        record = edition_record(row.source, row.edition or "", row.dataset or "")
    except AllianceError:
        return ()
    return (
        SourceRow(row.source, row.edition, row.dataset, citation=record.citation, url=record.url),
    )


def _membership_rows(expression: str, on: date) -> tuple[SourceRow, ...]:
    """The dated membership rows (with their citations) of every group the expression names."""
    from alliance.coalitions import PRESETS, Name, Operation, parse
    from alliance.memberships import groups, membership_rows

    presets = {p.name.upper(): p.expression for p in PRESETS}
    known = {g.group for g in groups()}

    def names(node: Any) -> set[str]:
        if isinstance(node, Operation):
            return names(node.left) | names(node.right)
        assert isinstance(node, Name)
        key = node.text.upper()
        if key in presets and presets[key].upper() != key:
            return names(parse(presets[key]))
        return {key.replace(" ", "_")} | {part for part in key.split("-") if part in known}

    used = names(parse(expression)) & known
    cited = tuple(
        SourceRow(_MEMBERSHIP_FILE, dataset=g.group, citation=g.citation, url=g.source_url)
        for g in groups()
        if g.group in used
    )
    return cited + tuple(
        SourceRow(_MEMBERSHIP_FILE, dataset=row.group, entity=row.iso3, locator=f"line {index + 2}")
        for index, row in enumerate(membership_rows())
        if row.group in used and row.covers(on)
    )


def _cited_row(table: str, key: str, entity: str | None, title: str, url: str) -> SourceRow:
    return SourceRow(table, entity=entity, locator=key, citation=title, url=url or None)
