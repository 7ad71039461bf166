"""The verdict table (trayapp.core.verdict.TABLE): tests generated from its rows.

Every row's every example goes through the real reading (core.answer.read) and
judging, and must land on exactly that row with that row's outcome; a row without
an example fails. Then the properties a table could lose: every possible fact
matches some row, the your-side codes all have their words, and the reading of
headers, error objects and model names on the real shapes.
"""

from __future__ import annotations

import json
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.loopback import fixture
from trayapp.core.answer import NetContext, family, limits, read, same_family, says
from trayapp.core.modelprobe import classify_model
from trayapp.core.probe import classify
from trayapp.core.verdict import ALONE_429, TABLE, YOUR_SIDE, judge, row_for, unexplained_429
from trayapp.core.verdict_kit import Example, Row
from trayapp.domain.facts import Asked, Blame, Body, Facts, Left, Says
from trayapp.domain.levels import Level
from trayapp.domain.outcome import FailKind, Fetched

NOW = datetime(2026, 12, 2, 15, 55, tzinfo=UTC)
EXAMPLES = [(row, n, ex) for row in TABLE for n, ex in enumerate(row.examples)]


def facts_of(ex: Example) -> Facts:
    return read(ex.outcome, ex.ctx, ex.slow_ms, ex.model)


@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_every_row_has_an_example_and_a_case(row: Row) -> None:
    assert row.examples, f"row {row.id} has no example"
    assert row.case and "\n" not in row.case


@pytest.mark.parametrize(("row", "n", "ex"), EXAMPLES,
                         ids=[f"{r.id}-{n}" for r, n, _ in EXAMPLES])
def test_each_example_hits_its_row_and_gives_its_outcome(row: Row, n: int, ex: Example) -> None:
    facts = facts_of(ex)
    assert row_for(facts).id == row.id
    verdict = judge(facts, NOW, UTC)
    assert (verdict.level, verdict.blame, verdict.reason, verdict.side) == \
        (row.then.level, row.then.blame, row.then.reason, row.then.side)
    assert verdict.words and "\n" not in verdict.words and "{" not in verdict.words
    # the thin users give the same verdict
    if ex.model:
        result = classify_model(ex.model, ex.outcome, ex.slow_ms, ex.ctx, NOW, UTC)
        assert (result.model, result.level, result.detail) == \
            (ex.model, verdict.level, verdict.words)
    else:
        probe = classify(ex.outcome, ex.slow_ms, ex.ctx, NOW, UTC)
        assert (probe.level, probe.detail, probe.your_side) == \
            (verdict.level, verdict.words, verdict.side)
        assert probe.blame == str(verdict.blame) and probe.reason == verdict.reason


def test_row_ids_are_unique_and_blame_goes_with_a_your_side_code() -> None:
    assert len({r.id for r in TABLE}) == len(TABLE)
    for row in TABLE:
        assert (row.then.blame is Blame.YOURS) == (row.then.side is not None), row.id
        assert row.then.side is None or row.then.side in YOUR_SIDE, row.id
        # "your side" is never an outage
        assert row.then.blame is not Blame.YOURS or not row.then.level.is_problem, row.id
        assert row.then.blame is not Blame.NONE or row.then.level is Level.OPERATIONAL


def test_the_cycle_rows_can_change_and_only_those() -> None:
    """A 429 that only the cycle explains: the vendor's once others answer 429 too."""
    for row in TABLE:
        for ex in row.examples:
            facts = facts_of(ex)
            # the shed-load rows are those 429s, seen with the cycle
            expected = row.id in ALONE_429 or row.then.reason == "shedding_load"
            assert unexplained_429(facts) == expected, row.id
            if row.id in ALONE_429:
                for cycle in ({"others_429": True}, {"page_incident": True}):
                    v = judge(replace(facts, **cycle))   # type: ignore[arg-type]
                    assert (v.level, v.blame) == (Level.DEGRADED, Blame.VENDOR), (row.id, cycle)


_facts = st.builds(
    Facts, asked=st.sampled_from(Asked), model=st.sampled_from(["", "claude-opus-4-1"]),
    failure=st.none() | st.sampled_from(FailKind),
    cause=st.sampled_from(["", "untrusted", "not_yet_valid", "expired", "407"]),
    status=st.none() | st.integers(-5, 1000), elapsed_ms=st.integers(0, 10**6),
    slow=st.booleans(), body=st.sampled_from(Body), says=st.sampled_from(Says),
    error_type=st.text(max_size=5), message=st.text(max_size=20),
    left=st.sampled_from(Left),
    resets_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    resets_in_s=st.none() | st.floats(0, 86400 * 31),
    answered_by=st.sampled_from(["", "claude-3-5-haiku"]), keyed=st.booleans(),
    others_resolve=st.booleans(), clock_skew_s=st.none() | st.floats(-1e6, 1e6),
    local=st.booleans(), others_429=st.booleans(), page_incident=st.booleans(),
    downgrade=st.sampled_from(["warn", "degrade", "ignore"]))


@given(_facts)
def test_every_fact_lands_on_a_row_with_one_line(facts: Facts) -> None:
    verdict = judge(facts, NOW, UTC)
    assert "\n" not in verdict.words
    # no key, no quota: whatever else holds
    if facts.status == 429 and not facts.keyed:
        assert verdict.side != "quota"


# ---------------------------------------------------------------- the seen-wrong cases

def test_a_keyless_429_is_never_your_quota() -> None:
    body = fixture("edge-cases/anthropic-oauth-usage-429-1.json")
    result = classify(Fetched("https://x", 429, body, 80), 3000, NetContext())
    assert result.your_side is None and result.level is Level.UNKNOWN
    assert "quota" not in result.detail
    assert "rate limited from this network" in result.detail


def test_a_keyed_challenge_is_a_challenge_not_a_refused_key() -> None:
    page = fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html")
    for ctx in (NetContext(keyed=True), NetContext()):
        result = classify(Fetched("https://x", 403, page, 80, {"content-type": "text/html"}),
                          3000, ctx)
        assert result.your_side is None and result.level is Level.UNKNOWN
        assert result.detail == "blocked by a bot challenge (HTTP 403)"


def test_a_model_saying_error_is_failing_not_the_model_name() -> None:
    body = b'{"type":"error","error":{"type":"invalid_request_error","message":"Error"}}'
    result = classify_model("claude-opus-4-1", Fetched("https://x", 400, body, 80), 3000,
                            NetContext(keyed=True))
    assert result.level is Level.PARTIAL_OUTAGE and result.your_side is None
    assert result.blame == "vendor" and "invalid_request_error" in result.detail


# ---------------------------------------------------------------- the reading

@pytest.mark.parametrize(("asked", "answered", "same"), [
    ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", True),
    ("claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022", True),
    ("claude-opus-4-1", "claude-opus-4-1-20250805", True),
    ("gpt-4o", "gpt-4o-2024-08-06", True),
    ("gpt-4", "gpt-4-0613", True),
    ("gemini-1.5-pro", "gemini-1.5-pro-002", True),
    ("gemini-2.5-pro", "gemini-2.5-pro-preview-06-05", True),
    ("gemini-2.5-flash", "models/gemini-2.5-flash", True),
    ("mistral-large-latest", "mistral-large-2411", True),
    ("grok-4", "grok-4-0709", True),
    ("llama3.2", "llama3.2:latest", True),
    ("anthropic/claude-3.5-sonnet", "anthropic/claude-3.5-sonnet", True),
    ("openrouter/auto", "openai/gpt-4o", True),          # a router asked to choose
    ("claude-opus-4-1", "claude-3-5-haiku-20241022", False),
    ("gpt-4o", "gpt-4o-mini-2024-07-18", False),
    ("gpt-5", "gpt-5-mini-2025-08-07", False),
    ("o1", "o1-mini-2024-09-12", False),
    ("gemini-1.5-flash", "gemini-1.5-flash-8b-001", False),
    ("llama3.2:3b", "llama3.2:1b", False),
    ("claude-sonnet-4-5", "claude-sonnet-4", False),
])
def test_model_families(asked: str, answered: str, same: bool) -> None:
    assert same_family(asked, answered) is same, (family(asked), family(answered))


def _headers(**kw: str) -> Fetched:
    return Fetched("https://x", 429, b"{}", 50, {k.replace("_", "-"): v for k, v in kw.items()})


def test_anthropic_headers_none_left_with_its_reset() -> None:
    left, at, within = limits(_headers(
        anthropic_ratelimit_requests_remaining="3",
        anthropic_ratelimit_input_tokens_remaining="0",
        anthropic_ratelimit_input_tokens_reset="2026-12-02T16:00:00Z"))
    assert (left, at, within) == (Left.NONE, datetime(2026, 12, 2, 16, tzinfo=UTC), None)


def test_openai_headers_reset_is_a_duration_from_the_date_header() -> None:
    left, at, _ = limits(_headers(x_ratelimit_remaining_requests="0",
                                  x_ratelimit_reset_requests="6m0s",
                                  date="Wed, 02 Dec 2026 15:54:00 GMT"))
    assert (left, at) == (Left.NONE, datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    # without a Date the reset is relative, made absolute with `now` in the words
    left, at, within = limits(_headers(x_ratelimit_remaining_tokens="0",
                                       x_ratelimit_reset_tokens="1m30s"))
    assert (left, at, within) == (Left.NONE, None, 90.0)
    facts = Facts(asked=Asked.PROBE, status=429, keyed=True, left=Left.NONE, resets_in_s=300)
    assert "resets 16:00" in judge(facts, NOW, UTC).words


def test_requests_left_and_garbage_headers() -> None:
    assert limits(_headers(x_ratelimit_remaining_requests="12"))[0] is Left.SOME
    assert limits(_headers(x_ratelimit_remaining_requests="-1"))[0] is Left.UNSAID
    assert limits(_headers(anthropic_ratelimit_tokens_remaining="9" * 40))[0] is Left.UNSAID
    left, at, within = limits(_headers(anthropic_ratelimit_tokens_remaining="0",
                                       anthropic_ratelimit_tokens_reset="next tuesday"))
    assert (left, at, within) == (Left.NONE, None, None)
    # no reset for the exhausted limit: Retry-After says when
    left, _, within = limits(_headers(x_ratelimit_remaining_requests="0", retry_after="30"))
    assert (left, within) == (Left.NONE, 30.0)


def test_dates_at_the_limits_do_not_break_the_reading() -> None:
    left, at, within = limits(_headers(x_ratelimit_remaining_requests="0",
                                       x_ratelimit_reset_requests="6m0s",
                                       date="Fri, 31 Dec 9999 23:59:59 GMT"))
    assert (left, at, within) == (Left.NONE, None, 360.0)
    facts = Facts(status=429, keyed=True, left=Left.NONE, resets_at=datetime.max.replace(
        tzinfo=UTC))
    assert "\n" not in judge(facts, NOW, UTC).words


def test_a_reset_on_another_day_names_the_day() -> None:
    facts = Facts(status=429, keyed=True, left=Left.NONE,
                  resets_at=NOW + timedelta(days=1))
    assert "resets 2026-12-03 15:55" in judge(facts, NOW, UTC).words


@pytest.mark.parametrize(("body", "model", "said"), [
    (b'{"error":{"message":"You exceeded your current quota","type":"insufficient_quota",'
     b'"code":"insufficient_quota"}}', "", Says.QUOTA),
    (b'{"type":"error","error":{"type":"billing_error","message":"x"}}', "", Says.QUOTA),
    (b'{"error":{"code":429,"message":"Quota exceeded for metric: generate_content_free_tier'
     b'_requests, limit: 0","status":"RESOURCE_EXHAUSTED"}}', "", Says.QUOTA),
    (b'{"error":{"message":"Incorrect API key provided: sk-****","type":"invalid_request_error'
     b'","code":"invalid_api_key"}}', "", Says.KEY_REFUSED),
    (b'{"error":"model \\"llama9\\" not found, try pulling it first"}', "llama9",
     Says.MODEL_UNKNOWN),
    (b'{"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta",'
     b'"status":"NOT_FOUND"}}', "gemini-9", Says.MODEL_UNKNOWN),
    (fixture("edge-cases/anthropic-oauth-usage-429-1.json"), "", Says.RATE_LIMIT),
    # OpenAI's throttling message links to the billing page: still a rate limit
    (b'{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on requests '
     b'per min (RPM): Limit 500, Used 500, Requested 1. You can increase your rate limit by '
     b'adding a payment method to your account at https://platform.openai.com/account/billing'
     b'.","type":"requests","param":null,"code":"rate_limit_exceeded"}}', "", Says.RATE_LIMIT),
    (fixture("edge-cases/anthropic-api-529-overloaded-1.json"), "", Says.OVERLOADED),
    (b'{"type":"error","error":{"type":"invalid_request_error","message":"Error"}}', "",
     Says.GENERIC),
    (b'{"type":"error","error":{"type":"invalid_request_error"}}', "", Says.GENERIC),
    (b'{"detail":"Not Found"}', "", Says.OTHER),
    (b'{"data":[]}', "", Says.NOTHING),
    (b"[" * 100000, "", Says.NOTHING),                       # hostile: too deep to parse
    (b'{"error":{"type":["x"],"message":{"a":1},"details":"no"}}', "", Says.GENERIC),
])
def test_what_the_error_object_says(body: bytes, model: str, said: Says) -> None:
    from trayapp.core.answer import _json  # the reader's own parse, hostile input included
    assert says(_json(body), model)[0] is said


def test_vendor_text_is_cleaned_and_capped() -> None:
    message = "\x1b[31mError\u202e" + "x" * 500
    body = json.dumps({"error": {"type": "invalid_request_error", "message": message}}).encode()
    result = classify_model("m", Fetched("https://x", 400, body, 10), 3000,
                            NetContext(keyed=True))
    assert "\x1b" not in result.detail and "\u202e" not in result.detail
    assert len(result.detail) < 260


@given(st.binary(max_size=300), st.integers(100, 599),
       st.dictionaries(st.sampled_from(["x-ratelimit-remaining-requests",
                                        "anthropic-ratelimit-tokens-reset",
                                        "anthropic-ratelimit-tokens-remaining",
                                        "x-ratelimit-reset-requests", "date", "retry-after"]),
                       st.text(string.printable, max_size=30)))
def test_any_answer_reads_and_judges(body: bytes, status: int, headers: dict[str, str]) -> None:
    for model in ("", "gpt-4o"):
        facts = read(Fetched("https://x", status, body, 10, headers), NetContext(keyed=True),
                     3000, model)
        assert "\n" not in judge(facts, NOW, UTC).words


def test_the_state_file_keeps_a_models_verdict() -> None:
    from trayapp.core.modelwatch import ModelMemory
    from trayapp.core.monitor import MonitorState, ServiceMemory
    from trayapp.edges.state import dump, load_bytes
    memory = ModelMemory("claude-opus-4-1", Level.OPERATIONAL, 1, 0, detail="answered by x",
                         reason="downgrade", blame="vendor")
    state = MonitorState(NOW, {"claude": ServiceMemory(models=(memory,))})
    assert load_bytes(dump(state)) == state
    with pytest.raises(ValueError):
        load_bytes(dump(state).replace(b'"reason": "downgrade"', b'"reason": 7'))
