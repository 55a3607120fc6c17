"""Every date option of every command takes the same words (today, yesterday, YYYY-MM-DD; US/Eastern) through
the one parser, and refuses anything else as a usage error naming the option. Options are parsed with click's
own ``make_context`` (nothing runs, nothing is fetched); typer 0.29 vendors click as ``typer._click``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import typer.main
from typer._click.exceptions import BadParameter
from typer.core import TyperGroup as Group
from typer.core import TyperOption as Option

from nbacore.dates import today_eastern
from nbaprops.cli import app
from nbaprops.cli.common import game_date

ROOT = typer.main.get_command(app)
REQUIRED = {"--date": "2025-10-22", "--start": "2025-10-21", "--end": "2025-10-23", "--source": "x"}


def commands(group: Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, Group):
            yield from commands(command, (*path, name))


def date_options() -> list:
    found = []
    for path, command in commands(ROOT):
        for param in command.params:
            if isinstance(param, Option) and parser_of(param) is game_date:
                found.append((path, command, param))
    return found


def parser_of(option: Option):
    return option.type_descriptor.parameter_info.parser


DATE_OPTIONS = date_options()


def parse(command, option: Option, value: str) -> dict:
    args = [option.opts[0], value]
    for other in command.params:  # fill the other required options with valid values
        if isinstance(other, Option) and other.required and other is not option:
            args += [other.opts[0], REQUIRED[other.opts[0]]]
    with command.make_context(command.name, args, resilient_parsing=False) as ctx:
        return ctx.params


def test_every_command_that_takes_a_date_uses_the_one_parser():
    found = {(" ".join(path), param.opts[0]) for path, _, param in DATE_OPTIONS}
    for expected in [
        ("score", "--date"),
        ("scrape", "--date"),
        ("replay", "--date"),
        ("run", "--date"),
        ("grade", "--date"),
        ("status", "--date"),
        ("report", "--date"),
        ("monitor", "--date"),
        ("picks", "--date"),
        ("results", "--since"),
        ("results", "--until"),
        ("backfill", "--start"),
        ("backtest", "--end"),
        ("train", "--before"),
        ("build", "--since"),
        ("sim serve", "--start"),
        ("sim serve", "--as-of"),
    ]:
        assert expected in found, expected
    # and no option that looks like a date slipped past it as a plain string
    for path, command in commands(ROOT):
        for param in command.params:
            if isinstance(param, Option) and param.opts[0] in (
                "--date",
                "--start",
                "--end",
                "--before",
                "--since",
                "--until",
            ):
                assert parser_of(param) is game_date, (path, param.opts[0])


@pytest.mark.parametrize(
    "path,command,option", DATE_OPTIONS, ids=[f"{' '.join(p)} {o.opts[0]}" for p, _, o in DATE_OPTIONS]
)
def test_each_date_option_takes_the_same_words(path, command, option):
    today = today_eastern()
    for word, expected in [
        ("today", today),
        ("yesterday", today - timedelta(days=1)),
        ("2025-10-21", date(2025, 10, 21)),
    ]:
        assert parse(command, option, word)[option.name] == expected, word
    with pytest.raises(BadParameter) as refused:
        parse(command, option, "tomorrow-ish")
    assert "today, yesterday or YYYY-MM-DD" in str(refused.value)


def test_the_readme_cron_lines_parse():
    """`nbaprops score --date today` and `nbaprops scrape --date today --source odds_api` (README, intraday)."""
    score = ROOT.commands["score"]
    assert score.make_context("score", ["--date", "today"]).params["date_"] == today_eastern()
    scrape = ROOT.commands["scrape"]
    params = scrape.make_context("scrape", ["--date", "today", "--source", "odds_api"]).params
    assert params["date_"] == today_eastern() and params["source"] == ["odds_api"]
