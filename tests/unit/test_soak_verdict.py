"""The soak's judgement (memory growth after warm-up, leaked descriptors, 5xx) and its plot."""

from __future__ import annotations

import os
import re
import time
import xml.dom.minidom

import pytest

from bench.soak.plot import render
from bench.soak.sampler import Sample, Sampler
from bench.soak.verdict import FD_SLACK, judge, rss_growth

MIB = 2**20


def _samples(rss_mib: list[float], fds: int = 20) -> list[Sample]:
    return [Sample(float(t), int(r * MIB), fds, 50.0) for t, r in enumerate(rss_mib)]


def test_memory_that_settles_after_warm_up_passes() -> None:
    # Growth during the warm-up (the first 5 s) does not count; after it, memory stays flat.
    samples = _samples([10, 20, 30, 38, 40, *[41] * 10, *[42] * 10])
    base, late, growth = rss_growth(samples, warmup_s=5)
    assert (base / MIB, late / MIB) == (41, 42)
    assert growth == pytest.approx(1 / 41)
    checks = judge(samples, 5, fds_idle_before=12, fds_idle_after=12, server_errors=0)
    assert all(c.passed for c in checks), [c.line() for c in checks]


def test_memory_growing_past_ten_percent_after_warm_up_fails() -> None:
    samples = _samples([40 + n for n in range(30)])  # 1 MiB a second, for ever
    rss = judge(samples, 5, 12, 12, 0)[0]
    assert rss.name == "rss"
    assert not rss.passed
    assert "limit +10%" in rss.line()
    assert rss.line().startswith("FAIL rss: ")


def test_one_outlier_reading_does_not_decide_memory() -> None:
    samples = _samples([*[40] * 20, 80, *[40] * 4])
    assert judge(samples, 0, 12, 12, 0)[0].passed


def test_descriptors_left_open_after_the_load_fail() -> None:
    samples = _samples([40] * 20, fds=300)
    fine = judge(samples, 5, 12, 12 + FD_SLACK, 0)[1]
    leaked = judge(samples, 5, 12, 12 + FD_SLACK + 1, 0)[1]
    assert fine.passed
    assert not leaked.passed
    assert "peak 300" in leaked.detail


def test_any_server_error_fails() -> None:
    samples = _samples([40] * 20)
    assert judge(samples, 5, 12, 12, 0)[2].passed
    assert not judge(samples, 5, 12, 12, 1)[2].passed


def test_too_short_a_run_to_judge_says_so() -> None:
    with pytest.raises(ValueError, match="too few samples"):
        rss_growth(_samples([40, 40, 40]), warmup_s=10)


def test_sampler_reads_a_live_process_until_stopped() -> None:
    sampler = Sampler(os.getpid(), interval=0.02).start()
    time.sleep(0.2)
    samples = sampler.stop()
    assert len(samples) >= 2
    assert all(s.rss_bytes > MIB and s.fds > 0 for s in samples)
    assert [s.t for s in samples] == sorted(s.t for s in samples)


def test_plot_is_an_svg_with_memory_and_both_latencies() -> None:
    svg = render(_samples([40, 41, 42]), [(0, 1.0, 5.0), (1, 1.1, 6.0)], 1, "soak crud 50 rps")
    doc = xml.dom.minidom.parseString(svg)  # noqa: S318 -- our own output, not untrusted
    root = doc.documentElement
    assert root is not None
    assert root.tagName == "svg"
    text = svg.decode()
    for label in ("server RSS (MiB)", "p50 latency (ms)", "p99 latency (ms)", "soak crud 50 rps"):
        assert label in text


def test_a_run_too_short_to_judge_fails_the_memory_check_instead_of_crashing() -> None:
    rss = judge(_samples([40, 40, 40]), 10, 12, 12, 0)[0]
    assert not rss.passed
    assert "too few samples" in rss.detail


def test_a_server_gone_before_its_idle_count_fails_the_descriptor_check() -> None:
    fds = judge(_samples([40] * 20), 5, 12, None, 0)[1]
    assert not fds.passed
    assert "the server was gone" in fds.detail


def test_any_failed_request_fails_even_without_a_5xx() -> None:
    samples = _samples([40] * 20)
    assert judge(samples, 5, 12, 12, 0, failures=0)[3].passed
    failed = judge(samples, 5, 12, 12, 0, failures=3)[3]
    assert failed.name == "request failures"
    assert not failed.passed
    assert failed.detail.startswith("3 requests failed")


def test_plot_draws_memory_from_zero_so_a_flat_line_looks_flat() -> None:
    svg = render(_samples([40.0, 40.1, 40.05]), [(0, 1.0, 5.0)], 1, "flat").decode()
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"0", "10", "20", "30", "40"} <= set(labels)
    assert not [x for x in labels if x.startswith("40.")]  # as an axis fitted to 40-40.1 has
