"""Rate funnels solved lazily place every provider where the full limits place it."""

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.stats.funnel import LazyRateLimits, funnel_position, rate_funnel_limits
from projections.stats.funnel_assessment import assess_rates
from tests.projections.stats.phe_funnel_data import CRUDE_RATES

groups = st.lists(st.tuples(st.integers(0, 400), st.integers(1, 5000)), min_size=2,
                  max_size=25).filter(lambda g: sum(c for c, _ in g) > 0)


@settings(max_examples=150, deadline=None)
@given(groups, st.sampled_from([1, 1000, 100000]))
def test_lazy_and_full_limits_give_the_same_assessment(group, multiplier):
    counts, denominators = [c for c, _ in group], [d for _, d in group]
    full = assess_rates(counts, denominators, multiplier)
    lazy = assess_rates(counts, denominators, multiplier, lazy_limits=True)
    assert (full.target, full.overdispersion) == (lazy.target, lazy.overdispersion)
    for eager, solved in zip(full.providers, lazy.providers):
        assert (eager.unadjusted, eager.adjusted, eager.flagged_by) == \
            (solved.unadjusted, solved.adjusted, solved.flagged_by)
        assert solved.unadjusted_limits.solved() == eager.unadjusted_limits


def test_the_lazy_limits_are_the_full_limits_bound_by_bound():
    for count, population in [r[:2] for r in CRUDE_RATES]:
        target = 0.00042
        lazy, full = LazyRateLimits(population, target, 1e5), rate_funnel_limits(
            population, target, 1e5)
        assert lazy.solved() == full
        assert funnel_position(count / population * 1e5, lazy) == \
            funnel_position(count / population * 1e5, full)


@settings(max_examples=300, deadline=None)
@given(st.floats(0.01, 5000), st.floats(1e-6, 0.5), st.sampled_from([1, 1000, 100000]))
def test_a_count_is_placed_without_solving_where_the_solved_limits_place_it(
        denominator, target, multiplier):
    """Counts on both sides of every solved limit (the knife edges) and between them."""
    full = rate_funnel_limits(denominator, target, multiplier)
    edges = [bound * denominator / multiplier for bound in
             (full.lower_998, full.lower_95, full.upper_95, full.upper_998)]
    counts = {max(0, int(edge) + step) for edge in edges for step in (-1, 0, 1, 2)}
    for count in sorted(counts):
        lazy = LazyRateLimits(denominator, target, multiplier)
        assert lazy.position_of_count(count) == \
            funnel_position(count / denominator * multiplier, full), count
