"""The filter language: parsing, type rules, error positions; user text never becomes SQL."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterlab_runs.store import FilterError, NewRun, ParamInput, SqliteStore
from jupyterlab_runs.store.filter import (
    ATTRIBUTES,
    DEFAULT_ORDER,
    Comparison,
    Junction,
    Negation,
    OrderKey,
    like_to_glob,
    parse_filter,
    parse_order_by,
)
from jupyterlab_runs.store.sqlite.filter_sql import KeyRef, compile_filter, render_filter

# Everything the compiler may write into SQL text; anything else would be user text.
SQL_WORDS = {
    "SELECT",
    "EXISTS",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "LIKE",
    "GLOB",
    "r",
    "rid",
    "run",
    "key_id",
    "value",
    "num_value",
    "params",
    "latest_metrics",
    "tags",
} | {name for attribute in ATTRIBUTES.values() for name in re.findall(r"\w+", attribute.sql)}
SQL_SYMBOLS = {"(", ")", ",", "?", "=", "!=", "<", "<=", ">", ">=", "-", "."}
SQL_TOKEN = re.compile(r"[A-Za-z_]+|!=|<=|>=|\S")


def assert_fixed_vocabulary(sql: str) -> None:
    for token in SQL_TOKEN.findall(sql):
        assert token in SQL_WORDS or token in SQL_SYMBOLS, f"{token!r} is not ours in {sql!r}"


def test_comparisons_compile_to_bound_subqueries():
    compiled = compile_filter("params.model = 'rf' and metrics.acc > 0.9")
    assert compiled.sql == (
        "(r.rid IN (SELECT run FROM params WHERE key_id = ? AND value = ?) AND "
        "r.rid IN (SELECT run FROM latest_metrics WHERE key_id = ? AND value > ?))"
    )
    assert compiled.params == (KeyRef("param", "model"), "rf", KeyRef("metric", "acc"), 0.9)


def test_filters_parse_into_a_tree():
    assert parse_filter("not (version = 1 or tags.t = 'x') and metrics.m > 2") == Junction(
        "AND",
        (
            Negation(
                Junction(
                    "OR",
                    (
                        Comparison("attribute", "version", "=", (1,), True),
                        Comparison("tag", "t", "=", ("x",), False),
                    ),
                )
            ),
            Comparison("metric", "m", ">", (2,), True),
        ),
    )


def test_probe_mode_tests_each_run_through_its_primary_key():
    compiled = compile_filter("metrics.acc > 0.9 and not params.model IS NULL", "probe")
    assert compiled.sql == (
        "(EXISTS (SELECT run FROM latest_metrics WHERE run = r.rid AND key_id = ? AND value > ?)"
        " AND NOT NOT EXISTS (SELECT run FROM params WHERE run = r.rid AND key_id = ?))"
    )
    assert compiled.params == (KeyRef("metric", "acc"), 0.9, KeyRef("param", "model"))


def test_drive_mode_puts_keyed_equalities_first_in_and():
    compiled = compile_filter("metrics.m3 > 0.5 and status = 'x' and params.p1 = 'w3'")
    assert compiled.sql == (
        "(r.rid IN (SELECT run FROM params WHERE key_id = ? AND value = ?) AND "
        "r.rid IN (SELECT run FROM latest_metrics WHERE key_id = ? AND value > ?) AND "
        "r.status = ?)"
    )
    assert compiled.params == (KeyRef("param", "p1"), "w3", KeyRef("metric", "m3"), 0.5, "x")
    probe = compile_filter("metrics.m3 > 0.5 and status = 'x' and params.p1 = 'w3'", "probe")
    assert probe.params[:2] == (KeyRef("metric", "m3"), 0.5)  # as written


def test_numbers_compare_params_numerically():
    compiled = compile_filter("params.n_estimators >= 100")
    assert "num_value >= ?" in compiled.sql
    assert compiled.params == (KeyRef("param", "n_estimators"), 100)
    assert "value = ?" in compile_filter("params.n_estimators = '100'").sql


def test_or_not_and_parentheses_nest_as_written():
    compiled = compile_filter("NOT (status = 'FAILED' or status = 'KILLED') AND version > 2")
    assert compiled.sql == "(NOT (r.status = ? OR r.status = ?) AND r.version > ?)"
    assert compiled.params == ("FAILED", "KILLED", 2)


def test_and_binds_tighter_than_or():
    compiled = compile_filter("version = 1 or version = 2 and name = 'x'")
    assert compiled.sql == "(r.version = ? OR (r.version = ? AND r.name = ?))"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("tags.`my tag` = 'x'", "my tag"),
        ("tags.\"my tag\" = 'x'", "my tag"),
        ("tags.`a.b` = 'x'", "a.b"),
        ("tags.cfg.lr = 'x'", "cfg.lr"),
        ("tags.`it``s` = 'x'", "it`s"),
        ("tag.`<b>é</b>` = 'x'", "<b>é</b>"),
    ],
)
def test_keys_may_be_quoted_dotted_or_anything(text, key):
    assert compile_filter(text).params[0] == KeyRef("tag", key)


def test_keywords_are_case_insensitive_and_strings_take_either_quote():
    upper = compile_filter("STATUS IN ('FAILED', \"KILLED\") AND NAME LIKE 'v1%'")
    lower = compile_filter("status in ('FAILED', \"KILLED\") and name like 'v1%'")
    assert upper == lower
    assert upper.params == ("FAILED", "KILLED", "v1*")


@pytest.mark.parametrize(
    ("text", "sql"),
    [
        ("attributes.status = 'FINISHED'", "r.status = ?"),
        ("attr.run_name = 'a'", "r.name = ?"),
        ("run.version != 3", "r.version != ?"),
        (
            "duration > 1000",
            "((r.end_time - r.start_time) IS NOT NULL AND (r.end_time - r.start_time) > ?)",
        ),
        ("end_time IS NULL", "r.end_time IS NULL"),
        ("user IS NOT NULL", "r.user IS NOT NULL"),
        ("name ILIKE 'V1%'", "r.name LIKE ?"),
        ("name NOT LIKE 'v1%'", "r.name NOT GLOB ?"),
        ("status NOT IN ('FAILED')", "r.status NOT IN (?)"),
        ("metrics.m IS NULL", "r.rid NOT IN (SELECT run FROM latest_metrics WHERE key_id = ?)"),
        (
            "metrics.m != 1",
            "r.rid IN (SELECT run FROM latest_metrics WHERE key_id = ? AND "
            "(value != ? OR value IS NULL))",
        ),
        (
            "params.p IN (1, 2.5)",
            "r.rid IN (SELECT run FROM params WHERE key_id = ? AND num_value IN (?, ?))",
        ),
        (
            "tags.t NOT ILIKE '%x%'",
            "r.rid IN (SELECT run FROM tags WHERE key_id = ? AND value NOT LIKE ?)",
        ),
    ],
)
def test_every_form_of_comparison(text, sql):
    assert compile_filter(text).sql == sql


def test_like_patterns_become_case_sensitive_globs():
    assert like_to_glob("v1%") == "v1*"
    assert like_to_glob("a_c") == "a?c"
    assert like_to_glob("*?[x]") == "[*][?][[]x]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metrics.accuracy > ", "expected a value after '>' at position 19"),
        ("metrics.accuracy > and", "expected a value after '>' at position 19"),
        ("foo = 1", "unknown attribute 'foo' at position 0"),
        ("attributes.foo = 1", "unknown attribute 'foo' at position 0"),
        ("metrics.acc = 'abc'", "metrics compare with numbers, got 'abc' at position 14"),
        ("metrics.acc LIKE 'a%'", "metrics compare with numbers, got 'a%' at position 17"),
        ("tags.t = 5", "tags compare with strings, got 5 at position 9"),
        ("version = 'x'", "attribute 'version' compares with numbers, got 'x' at position 10"),
        ("status = 5", "attribute 'status' compares with strings, got 5 at position 9"),
        ("things.x = 1", "unknown entity 'things'"),
        ("(status = 'x'", "expected ')' but found end of filter at position 13"),
        ("status = 'x')", "unexpected ')' at position 12"),
        ("status = 'x' status = 'y'", "unexpected 'status' at position 13"),
        ("status 'x'", "expected a comparison operator after 'status' but found"),
        ("status NOT = 'x'", "expected IN, LIKE or ILIKE after NOT"),
        ("status IS 'x'", "expected NULL after IS"),
        ("status IN 'x'", "expected '(' after IN"),
        ("status IN ('a' 'b')", "expected ',' or ')' in the IN list"),
        ("params.p IN (1, 'a')", "only numbers or only strings"),
        ("name LIKE 5", "LIKE needs a string pattern, got 5"),
        ("name = 'unterminated", "unterminated quoted text starting with ' at position 7"),
        ("name = 'a' ; drop", "unexpected character ';' at position 11"),
        ("metrics. = 1", "expected a key after 'metrics.'"),
        ("and", "expected a key such as metrics.accuracy but found 'and'"),
    ],
)
def test_errors_say_where_and_why(text, message):
    with pytest.raises(FilterError) as caught:
        compile_filter(text)
    assert message in str(caught.value)


def test_error_positions_are_exposed():
    with pytest.raises(FilterError) as caught:
        compile_filter("metrics.accuracy > 0.5 and params.model = ")
    assert caught.value.position == len("metrics.accuracy > 0.5 and params.model = ")


def test_empty_filters_match_everything():
    assert compile_filter("").sql == compile_filter("   ").sql == compile_filter(None).sql == ""


def test_limits_turn_into_filter_errors_not_crashes():
    with pytest.raises(FilterError, match="too deeply nested"):
        compile_filter("(" * 500 + "version = 1" + ")" * 500)
    with pytest.raises(FilterError, match="too many conditions"):
        compile_filter(" or ".join(["version = 1"] * 300))
    with pytest.raises(FilterError, match="at most 1000 values"):
        compile_filter("version IN (" + ", ".join(["1"] * 1001) + ")")
    assert compile_filter("version = 99999999999999999999999").params == (1e23,)


@pytest.mark.parametrize(
    ("clauses", "expected"),
    [
        ([], DEFAULT_ORDER),
        (["metrics.accuracy DESC"], OrderKey("metric", "accuracy", True)),
        (["params.n_estimators"], OrderKey("param", "n_estimators", False)),
        (["attributes.start_time ASC"], OrderKey("attribute", "start_time", False)),
        (["version"], OrderKey("attribute", "version", False)),
        (["run_name desc"], OrderKey("attribute", "name", True)),
        (["metrics.`val loss` DESC"], OrderKey("metric", "val loss", True)),
        (['tags."a.b"'], OrderKey("tag", "a.b", False)),
    ],
)
def test_order_by_clauses(clauses, expected):
    assert parse_order_by(clauses) == expected


def test_a_single_order_by_string_is_one_clause():
    assert parse_order_by("metrics.acc DESC") == OrderKey("metric", "acc", True)


def test_filters_and_orders_must_be_text():
    with pytest.raises(FilterError, match="filter must be a string, got int"):
        compile_filter(5)
    with pytest.raises(FilterError, match="order_by must hold strings"):
        parse_order_by([None])


@pytest.mark.parametrize(
    ("clauses", "message"),
    [
        (["metrics.a DESC", "version"], "order_by takes one clause"),
        (["nope"], "unknown attribute 'nope'"),
        (["metrics.a DOWN"], "unexpected 'DOWN'"),
    ],
)
def test_bad_order_by_is_a_filter_error(clauses, message):
    with pytest.raises(FilterError, match=message):
        parse_order_by(clauses)


# -- fuzzing ---------------------------------------------------------------------------------

TOKENS = [
    "metrics.acc",
    "params.model",
    "params.n",
    "tags.`my tag`",
    'tags."x y"',
    "attributes.status",
    "status",
    "version",
    "name",
    "run_name",
    "duration",
    "end_time",
    "metrics",
    "params.",
    ".",
    "AND",
    "and",
    "OR",
    "NOT",
    "not",
    "IN",
    "LIKE",
    "ILIKE",
    "IS",
    "NULL",
    "(",
    ")",
    ",",
    "=",
    "==",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "'",
    '"',
    "`",
    "0.5",
    "-1",
    "1e3",
    ".5",
    "foo",
    ";",
    "--",
    "/*",
    "*/",
    "DROP TABLE runs",
    "1=1",
    "'zq'' OR ''1''=''1'",
]
MARKED = st.text(alphabet='abc xyz%_;-*?[]"`().,=<>', max_size=12).map(lambda t: f"zq{t}zq")
LITERAL = MARKED.map(lambda t: "'" + t.replace("'", "''") + "'")
NUMBER = st.one_of(st.integers(-(10**30), 10**30), st.floats(allow_nan=False)).map(repr)
TARGET = st.sampled_from(
    [
        "metrics.acc",
        "params.model",
        "params.n",
        "tags.`my tag`",
        'tags."x y"',
        "attributes.status",
        "status",
        "version",
        "name",
        "duration",
        "end_time",
        "user",
        "metrics.`a.b`",
    ]
)
COMPARISON = st.one_of(
    st.tuples(
        TARGET,
        st.sampled_from(["=", "!=", "<", ">=", "LIKE", "ILIKE", "NOT LIKE"]),
        st.one_of(LITERAL, NUMBER),
    ).map(" ".join),
    st.tuples(
        TARGET,
        st.sampled_from(["IN", "NOT IN"]),
        st.lists(st.one_of(LITERAL, NUMBER), min_size=1, max_size=3),
    ).map(lambda t: f"{t[0]} {t[1]} ({', '.join(t[2])})"),
    st.tuples(TARGET, st.sampled_from(["IS NULL", "IS NOT NULL"])).map(" ".join),
)
EXPRESSION = st.recursive(
    COMPARISON,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "or", "And"]), inner).map(" ".join),
        inner.map(lambda e: f"NOT {e}"),
        inner.map(lambda e: f"({e})"),
    ),
    max_leaves=8,
)
# Mostly well-formed expressions, spliced with stray tokens and literals.
SOUP = st.lists(
    st.one_of(EXPRESSION, st.sampled_from(TOKENS), LITERAL), min_size=1, max_size=8
).map(" ".join)


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    store = SqliteStore(tmp_path_factory.mktemp("fuzz") / "runs.db")
    experiment = store.create_experiment("fuzz")
    store.create_run(NewRun(experiment.id, params=[ParamInput("model", "zqazq")]))
    yield store, experiment.id
    store.close()


def check_compiled_or_filter_error(text: str, store: SqliteStore, experiment_id: str) -> None:
    try:
        tree = parse_filter(text)
    except FilterError:
        return
    conn = store.db.connection()
    for mode in ("drive", "probe"):
        compiled = render_filter(tree, mode)
        assert_fixed_vocabulary(compiled.sql)
        assert compiled.sql.count("?") == len(compiled.params)
        for literal in re.findall(r"zq.*?zq", text):
            assert literal not in compiled.sql
        # Both renderings must run: anything but FilterError reaching the caller is a bug.
        bound = [-1 if isinstance(p, KeyRef) else p for p in compiled.params]
        conn.execute(f"SELECT count(*) FROM runs r WHERE {compiled.sql or 1}", bound).fetchone()
    store.search_runs([experiment_id], filter=text)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120))
def test_random_text_raises_nothing_but_filter_errors(text, fuzz_store):
    check_compiled_or_filter_error(text, *fuzz_store)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=SOUP)
def test_token_soup_raises_nothing_but_filter_errors(text, fuzz_store):
    check_compiled_or_filter_error(text, *fuzz_store)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=EXPRESSION)
def test_well_formed_expressions_compile_and_run_or_fail_on_types(text, fuzz_store):
    check_compiled_or_filter_error(text, *fuzz_store)


@given(literal=MARKED)
def test_literals_travel_only_as_bound_parameters(literal):
    quoted = "'" + literal.replace("'", "''") + "'"
    for text in (f"params.model = {quoted}", f"name LIKE {quoted}", f"tags.t IN ('a', {quoted})"):
        compiled = compile_filter(text)
        assert_fixed_vocabulary(compiled.sql)
        assert any(literal in str(p) or like_to_glob(literal) == p for p in compiled.params)


@pytest.mark.parametrize(
    "attack",
    [
        "name = 'x'; DROP TABLE runs; --",
        "name = 'x' OR 1=1",
        "name = '' OR ''=''",
        "params.`a` = 1); DROP TABLE runs; --",
        "metrics.`x` = 1 UNION SELECT * FROM runs",
        "tags.\"t\" = 'a'' OR ''1''=''1'",
        "params.`k`` OR 1=1 --` = 'v'",
        'name = "x" OR "1"="1"',
        "name = 'x' /* comment */",
        "name LIKE '%' ESCAPE '\\'",
        "status = 'FINISHED' OR rid > 0",
        "params.model = char(114, 102)",
    ],
)
def test_classic_injections_do_nothing(attack, store, experiment):
    store.create_run(NewRun(experiment.id, name="x", params=[ParamInput("model", "rf")]))
    try:
        page = store.search_runs([experiment.id], filter=attack)
    except FilterError:
        pass
    else:
        assert page.total == 0
    assert store.search_runs([experiment.id]).total == 1
