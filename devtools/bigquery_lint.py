"""A BigQuery dialect lint for dbt's compiled SQL: catches what DuckDB accepts and BigQuery rejects, offline.

sqlglot's BigQuery parser is lenient: it silently accepts ``x::date``, ``date_diff('day', a, b)``, ILIKE,
DuckDB-only functions and double-quoted identifiers (which BigQuery reads as strings). So besides the parse,
this lint applies rules of its own, each with a message that names the file, line, rule and the fix:

  parse          the SQL does not parse as BigQuery (GoogleSQL)
  dcolon-cast    ``expr::type``                      -> cast(expr as type) / {{ dbt.safe_cast(...) }}
  unknown-function  a call to a function BigQuery does not have: every call written by name (and every call
                    sqlglot could not type, exp.Anonymous) is checked against an allow-list of GoogleSQL functions
  date-part-first   DuckDB ``date_diff('day', a, b)`` / ``date_trunc('month', d)`` argument order
  ilike          ILIKE                                -> lower(a) like lower(b)
  double-quoted  ``"name"`` is a STRING in BigQuery  -> backticks (identifier) or single quotes (string)
  interval-string   ``interval '3 days'``             -> interval 3 day / {{ dbt.dateadd(...) }}

Typical use (layer 2 then 3 of docs/bigquery.md):
    dbt compile --target bigquery_offline --no-introspect --no-populate-cache --vars '{offline_compile: true}'
    python -m devtools.bigquery_lint target/compiled
``python -m devtools.bigquery_lint --compile`` runs both. Exit code 0 = clean, 1 = problems, 2 = could not run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlglot import exp
from sqlglot.dialects.bigquery import BigQuery
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokens import Token, TokenType

PROJECT_DIR = Path(__file__).resolve().parent.parent

# GoogleSQL functions that may be called by name (lower case). Calls not listed here are reported as
# unknown-function. Qualified calls (SAFE.x(), dataset.udf(), `proj.ds.udf`()) are not checked.
BIGQUERY_FUNCTIONS = frozenset(
    """
    abs acos acosh asin asinh atan atan2 atanh cbrt ceil ceiling cos cosh cot coth csc csch degrees div exp
    floor greatest ieee_divide is_inf is_nan least ln log log10 mod pi pow power radians rand range_bucket round
    safe_add safe_divide safe_multiply safe_negate safe_subtract sec sech sign sin sinh sqrt tan tanh trunc
    cosine_distance euclidean_distance
    any_value approx_count_distinct approx_quantiles approx_top_count approx_top_sum array_agg array_concat_agg
    avg bit_and bit_or bit_xor corr count countif covar_pop covar_samp grouping logical_and logical_or max
    max_by min min_by percentile_cont percentile_disc stddev stddev_pop stddev_samp string_agg sum var_pop
    var_samp variance hll_count
    cume_dist dense_rank first_value lag last_value lead nth_value ntile percent_rank rank row_number
    array array_concat array_first array_includes array_includes_all array_includes_any array_is_distinct
    array_last array_length array_max array_min array_reverse array_slice array_to_string generate_array
    generate_date_array generate_timestamp_array unnest offset ordinal safe_offset safe_ordinal
    ascii byte_length char_length character_length chr code_points_to_bytes code_points_to_string collate
    concat contains_substr edit_distance ends_with format from_base32 from_base64 from_hex initcap instr
    left length lower lpad ltrim normalize normalize_and_casefold octet_length regexp_contains regexp_extract
    regexp_extract_all regexp_instr regexp_replace regexp_substr repeat replace reverse right rpad rtrim
    safe_convert_bytes_to_string soundex split starts_with strpos substr substring to_base32 to_base64
    to_code_points to_hex translate trim unicode upper
    current_date current_datetime current_time current_timestamp date date_add date_bucket date_diff
    date_from_unix_date date_sub date_trunc datetime datetime_add datetime_bucket datetime_diff datetime_sub
    datetime_trunc extract format_date format_datetime format_time format_timestamp last_day parse_date
    parse_datetime parse_time parse_timestamp time time_add time_diff time_sub time_trunc timestamp
    timestamp_add timestamp_bucket timestamp_diff timestamp_micros timestamp_millis timestamp_seconds
    timestamp_sub timestamp_trunc unix_date unix_micros unix_millis unix_seconds
    interval justify_days justify_hours justify_interval make_interval
    bool float64 int64 json_array json_extract json_extract_array json_extract_scalar
    json_extract_string_array json_keys json_object json_query json_query_array json_remove json_set
    json_strip_nulls json_type json_value json_value_array lax_bool lax_float64 lax_int64 lax_string
    parse_json string to_json to_json_string
    cast safe_cast parse_bignumeric parse_numeric
    coalesce if ifnull nullif nullifzero zeroifnull iferror iserror
    farm_fingerprint md5 sha1 sha256 sha512 generate_uuid session_user error
    st_geogpoint st_distance st_astext
    struct range range_contains range_end range_intersect range_overlaps range_start
    """.split()
)

# DuckDB spellings with a known BigQuery replacement, to make the fix concrete.
DUCKDB_HINTS = {
    "strftime": "format_date('%Y-%m-%d', d) / format_timestamp(...)",
    "strptime": "parse_date('%Y-%m-%d', s) / parse_timestamp(...)",
    "datediff": "{{ dbt.datediff(a, b, 'day') }} (BigQuery: date_diff(b, a, day))",
    "date_part": "extract(day from d)",
    "datepart": "extract(day from d)",
    "year": "extract(year from d)",
    "month": "extract(month from d)",
    "day": "extract(day from d)",
    "dayofweek": "extract(dayofweek from d) (BigQuery: 1 = Sunday)",
    "median": "percentile_cont(x, 0.5) over () or approx_quantiles(x, 2)[offset(1)]",
    "quantile_cont": "percentile_cont(x, q) over (...)",
    "arg_max": "max_by(x, y) or array_agg(x order by y desc limit 1)[offset(0)]",
    "arg_min": "min_by(x, y)",
    "list_value": "[a, b] (array literal)",
    "list": "array_agg(x)",
    "struct_pack": "struct(a as x)",
    "string_split": "split(s, ',')",
    "str_split": "split(s, ',')",
    "split_part": "{{ dbt.split_part(...) }}",
    "concat_ws": "array_to_string([a, b], ',')",
    "count_if": "countif(x)",
    "bool_and": "logical_and(x)",
    "bool_or": "logical_or(x)",
    "epoch_ms": "timestamp_millis(x) / unix_millis(ts)",
    "epoch": "unix_seconds(ts)",
    "to_timestamp": "timestamp_seconds(x)",
    "make_date": "date(y, m, d)",
    "today": "current_date()",
    "now": "current_timestamp()",
    "strip_accents": "the strip_accents() macro (macros/text.sql)",
    "regexp_matches": "regexp_contains(s, r'...')",
    "regexp_full_match": "regexp_contains(s, r'^...$')",
    "hash": "farm_fingerprint(s)",
    "first": "array_agg(x ignore nulls order by ... limit 1)[offset(0)] or any_value(x)",
    "last": "array_agg(x order by ... desc limit 1)[offset(0)]",
    "try_cast": "safe_cast(x as type)",
    "generate_series": "generate_array(a, b) / generate_date_array(a, b)",
    "len": "length(s) / array_length(a)",
    "random": "rand()",
    "uuid": "generate_uuid()",
    "gen_random_uuid": "generate_uuid()",
    "ifnan": "if(is_nan(x), ..., x)",
    "isnan": "is_nan(x)",
    "isinf": "is_inf(x)",
    "printf": "format('%d', x)",
    "age": "date_diff(a, b, day)",
    "time_bucket": "date_trunc / timestamp_bucket",
    "array_sort": "array(select x from unnest(a) as x order by x)",
    "list_sort": "array(select x from unnest(a) as x order by x)",
    "contains": "contains_substr(s, t) or strpos(s, t) > 0",
    "unaccent": "the strip_accents() macro (macros/text.sql)",
}

# Functions whose first argument is a date part in BigQuery's *last* position: DuckDB puts it first, as a string.
DATE_PART_FIRST = frozenset(
    "date_diff datediff date_trunc datetime_diff datetime_trunc timestamp_diff timestamp_trunc date_part "
    "datepart time_diff time_trunc".split()
)
DATE_PARTS = frozenset(
    "microsecond millisecond second minute hour day dayofweek dayofyear week isoweek month quarter year "
    "isoyear date time decade century millennium epoch".split()
)
# A name followed by '(' after one of these is a table or column list, not a call.
NOT_A_CALL_AFTER = frozenset({TokenType.INTO, TokenType.TABLE, TokenType.VIEW, TokenType.DOT, TokenType.FUNCTION})
# Clause words that may be followed by '(' (dbt's MERGE / DDL scripts use several).
SYNTAX_WORDS = frozenset(
    "values options exists in using over window as pivot unpivot tablesample partition cluster returns".split()
)


@dataclass(frozen=True)
class Problem:
    """One thing BigQuery would reject (or silently misread), where it is, and how to fix it."""

    path: str
    line: int | None
    rule: str
    message: str
    fix: str
    model: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        origin = f" (from {self.model})" if self.model else ""
        return f"{where}: [{self.rule}] {self.message}{origin}. Fix: {self.fix}"


@dataclass
class LintReport:
    """The files checked and every problem found."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        bad = len({p.path for p in self.problems})
        return f"bigquery lint: {len(self.files)} file(s), {bad} with problems, {len(self.problems)} problem(s)"


def _quote_char(sql: str, token: Token) -> str:
    """The quote a STRING token was written with (skipping r/b prefixes)."""
    for char in sql[token.start : token.start + 3]:
        if char in "'\"":
            return char
    return ""


def _token_problems(sql: str, tokens: list[Token], path: str, model: str | None) -> list[Problem]:
    problems: list[Problem] = []

    def add(token: Token, rule: str, message: str, fix: str) -> None:
        problems.append(Problem(path, token.line, rule, message, fix, model))

    for i, token in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        kind = token.token_type
        if kind == TokenType.DCOLON:
            add(
                token,
                "dcolon-cast",
                "'::' casts are DuckDB/Postgres syntax; BigQuery rejects them",
                "cast(expr as type), or {{ dbt.safe_cast(expr, api.Column.translate_type('integer')) }}",
            )
        elif kind == TokenType.ILIKE:
            add(token, "ilike", "ILIKE does not exist in BigQuery", "lower(a) like lower(b)")
        elif kind == TokenType.STRING and _quote_char(sql, token) == '"':
            add(
                token,
                "double-quoted",
                f'"{token.text}" is a STRING literal in BigQuery, not an identifier',
                "backticks for identifiers (dbt quotes refs/sources itself), single quotes for strings",
            )
        elif kind == TokenType.INTERVAL and nxt is not None and nxt.token_type == TokenType.STRING:
            if after is None or after.text.lower() not in DATE_PARTS:
                add(
                    token,
                    "interval-string",
                    f"interval '{nxt.text}' is DuckDB syntax",
                    "interval 3 day, or {{ dbt.dateadd('day', 3, 'd') }}",
                )
        elif (
            nxt is not None
            and nxt.token_type == TokenType.L_PAREN
            and (prev is None or prev.token_type not in NOT_A_CALL_AFTER)
        ):
            name = token.text.lower()
            if name in SYNTAX_WORDS:
                continue
            if (
                name in DATE_PART_FIRST
                and after is not None
                and after.token_type == TokenType.STRING
                and after.text.lower() in DATE_PARTS
            ):
                add(
                    token,
                    "date-part-first",
                    f"{token.text}('{after.text}', ...) is DuckDB argument order",
                    f"BigQuery puts the part last and unquoted: date_diff(end, start, {after.text.lower()}), "
                    f"date_trunc(d, {after.text.lower()}); or use {{{{ dbt.datediff(...) }}}} / {{{{ dbt.date_trunc(...) }}}}",
                )
            elif name not in BIGQUERY_FUNCTIONS and (kind == TokenType.VAR or name in DUCKDB_HINTS):
                hint = DUCKDB_HINTS.get(name, "the GoogleSQL equivalent, or a cross-database macro (dbt.* or macros/)")
                add(token, "unknown-function", f"{token.text}() is not a BigQuery function", hint)
    return problems


def lint_sql(sql: str, path: str = "<sql>", model: str | None = None) -> list[Problem]:
    """Every problem in one SQL text (parse errors included)."""
    dialect = BigQuery()
    try:
        tokens = dialect.tokenize(sql)
    except TokenError as exc:
        return [Problem(path, None, "parse", f"does not tokenize as BigQuery: {exc}", "fix the SQL syntax", model)]
    problems = _token_problems(sql, tokens, path, model)
    try:
        statements = dialect.parse(sql, error_level=ErrorLevel.RAISE)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        message = str(first.get("description") or exc).splitlines()[0]
        problems.append(
            Problem(
                path,
                first.get("line"),
                "parse",
                f"does not parse as BigQuery: {message}",
                "write GoogleSQL (see the rules above) or use a cross-database macro",
                model,
            )
        )
        statements = []
    problems.extend(_anonymous_call_problems(statements, problems, path, model))
    return sorted(problems, key=lambda p: (p.line or 0, p.rule))


def _anonymous_call_problems(statements, found: list[Problem], path: str, model: str | None) -> list[Problem]:
    """Calls sqlglot could not type (exp.Anonymous) that the token rule did not see, e.g. `strftime`(d, ...)."""
    seen = {p.message.split("()")[0].lower() for p in found if p.rule == "unknown-function"}
    problems: list[Problem] = []
    for statement in statements:
        for call in statement.find_all(exp.Anonymous) if statement is not None else []:
            name = call.name.lower()
            if "." in name or isinstance(call.parent, exp.SafeFunc) or name in BIGQUERY_FUNCTIONS or name in seen:
                continue
            seen.add(name)
            hint = DUCKDB_HINTS.get(name, "the GoogleSQL equivalent, or a cross-database macro (dbt.* or macros/)")
            problems.append(
                Problem(path, None, "unknown-function", f"{call.name}() is not a BigQuery function", hint, model)
            )
    return problems


def _model_for(path: Path, root: Path) -> str | None:
    """target/compiled/<project>/models/x/y.sql -> models/x/y.sql (the file to edit)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    if root.name == "compiled" and len(parts) > 2:
        return str(Path(*parts[1:]))
    return None


def sql_files(paths: Iterable[Path]) -> list[Path]:
    """The .sql files in ``paths`` (files are taken as they are, folders recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.extend(sorted(path.rglob("*.sql")))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(
                f"{path} does not exist: compile first (python -m devtools.bigquery_lint --compile)"
            )
    return found


def lint_paths(paths: Iterable[Path]) -> LintReport:
    """Lint every .sql file under ``paths``."""
    report = LintReport()
    for root in [Path(p) for p in paths]:
        for file in sql_files([root]):
            display = os.path.relpath(file) if file.resolve().is_relative_to(Path.cwd()) else str(file)
            report.files.append(display)
            model = _model_for(file, root) if root.is_dir() else None
            report.problems.extend(lint_sql(file.read_text(encoding="utf-8"), display, model))
    return report


@dataclass(frozen=True)
class CompileResult:
    """What an offline BigQuery compile produced."""

    ok: bool
    compiled_dir: Path
    output: str


class OfflineCompile:
    """``dbt compile --target bigquery_offline`` with no network: dummy token, no introspection, is_incremental forced.

    Runs dbt in a child process (its own flags and adapter state) with the Google metadata probe disabled;
    ``start()`` returns at once so other work can overlap, ``wait()`` collects the result.
    """

    def __init__(
        self, project_dir: Path = PROJECT_DIR, target_path: Path | None = None, extra_vars: dict | None = None
    ):
        import json

        self.project_dir = Path(project_dir)
        self.target_path = Path(target_path or self.project_dir / "target" / "bigquery_offline").resolve()
        variables = {"offline_compile": True, **(extra_vars or {})}
        self.env = {
            **os.environ,
            "NO_GCE_CHECK": "true",
            "GCE_METADATA_HOST": "127.0.0.1:9",
            "GCE_METADATA_IP": "127.0.0.1:9",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
        self.command = [
            sys.executable,
            "-c",
            "from dbt.cli.main import cli; cli()",
            "compile",
            "--project-dir",
            str(self.project_dir),
            "--profiles-dir",
            str(self.project_dir / "profiles"),
            "--target",
            "bigquery_offline",
            "--target-path",
            str(self.target_path),
            "--log-path",
            str(self.target_path / "logs"),
            "--no-introspect",
            "--no-populate-cache",
            "--vars",
            json.dumps(variables),
        ]
        self._proc: subprocess.Popen | None = None
        self._result: CompileResult | None = None

    def start(self) -> OfflineCompile:
        self._proc = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.project_dir,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait(self, timeout: float = 300) -> CompileResult:
        if self._result is not None:
            return self._result
        if self._proc is None:
            self.start()
        try:
            output, _ = self._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            output, _ = self._proc.communicate()
            output += f"\n(killed: the offline compile took more than {timeout:.0f}s)"
        self._result = CompileResult(self._proc.returncode == 0, self.target_path / "compiled", output)
        return self._result


def compile_offline(
    project_dir: Path = PROJECT_DIR,
    target_path: Path | None = None,
    extra_vars: dict | None = None,
    timeout: float = 300,
) -> CompileResult:
    """Run the offline BigQuery compile (see OfflineCompile) and wait for it."""
    return OfflineCompile(project_dir, target_path, extra_vars).start().wait(timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.bigquery_lint",
        description="Lint compiled dbt SQL for BigQuery (sqlglot parse + DuckDB-ism rules).",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: the offline compile's target/…/compiled)"
    )
    parser.add_argument("--compile", action="store_true", help="first run the offline BigQuery compile (no network)")
    parser.add_argument(
        "--target-path",
        type=Path,
        default=PROJECT_DIR / "target" / "bigquery_offline",
        help="dbt target path for --compile (default: target/bigquery_offline)",
    )
    args = parser.parse_args(argv)
    paths = args.paths
    if args.compile:
        result = compile_offline(target_path=args.target_path)
        if not result.ok:
            print(result.output, file=sys.stderr)
            print("error: the offline BigQuery compile failed (output above)", file=sys.stderr)
            return 2
        paths = paths or [result.compiled_dir]
    paths = paths or [args.target_path / "compiled"]
    try:
        report = lint_paths(paths)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
