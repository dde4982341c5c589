"""The data generators and plots the notebooks use (source_lib.data, source_lib.plots)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy  # noqa: E402

from source_lib import data, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    yield
    plt.close("all")


def test_blobs_have_the_asked_shapes_labels_and_proportion() -> None:
    X, y = data.make_blobs(m=80, n=3, separation=2.0, rng=np.random.default_rng(0), positive_fraction=0.35)
    assert X.shape == (80, 3) and y.shape == (80,)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert y.sum() == 28  # round(0.35 * 80)


def test_blobs_keep_both_classes_at_extreme_fractions() -> None:
    for fraction in (0.0, 0.01, 0.99, 1.0):
        _, y = data.make_blobs(m=10, n=2, separation=1.0, rng=np.random.default_rng(1), positive_fraction=fraction)
        assert 1 <= y.sum() <= 9


def test_blob_centres_are_separation_apart() -> None:
    X, y = data.make_blobs(m=4000, n=2, separation=3.0, rng=np.random.default_rng(2))
    gap = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    assert np.linalg.norm(gap) == pytest.approx(3.0, rel=0.05)


def test_blobs_are_reproducible_from_the_generator() -> None:
    a = data.make_blobs(m=20, n=2, separation=1.0, rng=np.random.default_rng(5))
    b = data.make_blobs(m=20, n=2, separation=1.0, rng=np.random.default_rng(5))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))


def _separating_margin(X: np.ndarray, y: np.ndarray) -> float:
    """The widest margin a line through the data achieves, searched over directions and offsets."""
    best = -np.inf
    for angle in np.linspace(0.0, 2 * np.pi, 3600, endpoint=False):
        u = np.array([np.cos(angle), np.sin(angle)])
        proj = X @ u
        positives, negatives = proj[y == 1], proj[y == 0]
        best = max(best, (positives.min() - negatives.max()) / 2)
    return float(best)


def test_separable_data_are_separated_with_the_margin() -> None:
    X, y = data.make_separable(m=40, n=2, margin=0.3, rng=np.random.default_rng(6), spread=(1.5, 0.5))
    assert X.shape == (40, 2) and set(np.unique(y)) == {0.0, 1.0}
    assert _separating_margin(X, y) >= 0.3 - 1e-3
    assert X[:, 0].std() > 2 * X[:, 1].std()  # the spread per feature is kept


def test_separable_data_always_hold_both_classes() -> None:
    for seed in range(30):
        _, y = data.make_separable(m=3, n=2, margin=0.1, rng=np.random.default_rng(seed))
        assert 0 < y.sum() < 3


def test_evaluate_expands_sums_over_the_data() -> None:
    w, b = sympy.symbols("w b", real=True)
    m = sympy.symbols("m", integer=True, positive=True)
    i = sympy.symbols("i", integer=True, positive=True)
    x, y = sympy.IndexedBase("x"), sympy.IndexedBase("y")
    expr = sympy.Sum((w * x[i] + b - y[i]) * x[i], (i, 1, m)) / m
    xs, ys = np.array([1.0, 2.0, -0.5]), np.array([0.0, 1.0, 1.0])
    value = data.evaluate(expr, {m: 3, w: 0.5, b: -1.0, x: xs, y: ys})
    assert value == pytest.approx(np.mean((0.5 * xs - 1.0 - ys) * xs))
    assert isinstance(value, float)


def test_evaluate_handles_logs_and_exponentials() -> None:
    m = sympy.symbols("m", integer=True, positive=True)
    i = sympy.symbols("i", integer=True, positive=True)
    x = sympy.IndexedBase("x")
    expr = sympy.Sum(sympy.log(1 + sympy.exp(x[i])), (i, 1, m)) / m
    xs = np.array([0.0, 1.0, -2.0, 3.5])
    assert data.evaluate(expr, {m: 4, x: xs}) == pytest.approx(np.mean(np.logaddexp(0.0, xs)))


def test_evaluate_refuses_what_the_data_do_not_fix() -> None:
    w = sympy.symbols("w", real=True)
    with pytest.raises(TypeError):
        data.evaluate(2 * w, {})


def test_cost_curves_draw_each_run_from_iteration_0_and_the_reference() -> None:
    histories = {"zeros": [0.7, 0.5, 0.4, 0.3], "random": [2.0, 1.0, 0.5, 0.3]}
    fig = plots.cost_curves(histories, "t", reference=0.69, reference_label="at zero", last=2)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["zeros"].get_xdata()) == [0, 1, 2]
    assert list(lines["random"].get_ydata()) == [2.0, 1.0, 0.5]
    assert list(lines["at zero"].get_ydata()) == [0.69, 0.69]
    assert ax.get_title() == "t"


def test_decision_boundaries_draw_each_line_w_x_plus_b_equal_0() -> None:
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, -1.0], [-1.0, 2.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    boundaries = {"steep": (np.array([2.0, 0.5]), -1.0), "flat": (np.array([0.5, 2.0]), 1.0),
                  "none": (np.zeros(2), 0.3)}
    fig = plots.decision_boundaries(X, y, boundaries, "b", styles={"flat": {"linestyle": "--"}})
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"steep", "flat"}  # w = 0 has no boundary
    for name in ("steep", "flat"):
        w, b = boundaries[name]
        xs, ys = lines[name].get_xdata(), lines[name].get_ydata()
        assert np.allclose(w[0] * np.asarray(xs) + w[1] * np.asarray(ys) + b, 0.0)
    assert lines["flat"].get_linestyle() == "--"
    assert len(ax.collections) == 2  # one scatter per class


def test_plots_draw_into_given_axes() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    assert plots.cost_curves({"a": [1.0, 0.5]}, "l", ax=left) is fig
    assert plots.norm_curves([1, 10, 100], {"a": [1.0, 2.0, 3.0]}, "r", marks={"stop": 10}, ax=right) is fig
    assert right.get_xscale() == "log"
    assert any(line.get_xdata()[0] == 10 for line in right.get_lines() if line.get_label().startswith("_"))
    assert [t.get_text() for t in right.texts] == ["stop"]


def test_moons_are_balanced_and_not_linearly_separable() -> None:
    X, y = data.make_moons(200, 0.1, np.random.default_rng(3))
    assert X.shape == (200, 2) and y.sum() == 100
    features = np.column_stack([X, np.ones(200)])
    w = np.linalg.lstsq(features, 2 * y - 1, rcond=None)[0]  # the best straight line, by least squares
    assert 0.7 < np.mean((features @ w > 0) == (y == 1)) < 0.95
    with pytest.raises(ValueError, match="even number"):
        data.make_moons(7, 0.1, np.random.default_rng(3))


def test_unit_weights_draws_one_line_per_unit_and_run() -> None:
    fanned = np.cumsum(np.random.default_rng(4).normal(size=(50, 4)), axis=0)
    tied = np.tile(np.linspace(0.5, 1.0, 50)[:, None], (1, 4))
    fig = plots.unit_weights({"random start": fanned, "constant start": tied}, "weights", every=10)
    assert [len(ax.lines) for ax in fig.axes] == [4, 4]
    assert fig.axes[0].lines[0].get_xdata()[-1] == 490  # snapshot 49, every 10 iterations
    assert len({tuple(line.get_ydata()) for line in fig.axes[1].lines}) == 1  # the tied units coincide


def test_decision_regions_shade_each_model_and_draw_its_half_probability_line() -> None:
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    asked = []

    def split(points: np.ndarray) -> np.ndarray:
        asked.append(points.shape)
        return 1.0 / (1.0 + np.exp(-4.0 * points[:, 0]))  # class 1 on the right

    fig = plots.decision_regions(X, y, {"split": split, "undecided": lambda P: np.full(len(P), 0.5)}, "regions",
                                 resolution=30)
    split_ax, flat_ax = fig.axes[:2]
    assert asked == [(900, 2)]
    assert [ax.get_title() for ax in (split_ax, flat_ax)] == ["split", "undecided"]
    level = [c for c in split_ax.collections if getattr(c, "levels", None) is not None and list(c.levels) == [0.5]]
    assert len(level) == 1  # the 0.5 line of the model that crosses it
    path = level[0].get_paths()[0].vertices
    assert np.allclose(path[:, 0], 0.0, atol=0.05)  # where 4 x = 0
    assert not [c for c in flat_ax.collections if list(getattr(c, "levels", [])) == [0.5]]
    assert split_ax.get_xlim()[0] < -1.0 < 1.0 < split_ax.get_xlim()[1]


def test_log_curves_leave_out_zeros_and_say_when_a_run_is_zero_throughout() -> None:
    fig = plots.log_curves({"constant": [0.0, 0.0, 0.0], "nudged": [1e-8, 0.0, 1e-6, 1e-4]}, "spread", "s",
                           every=50)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    nudged = next(line for line in ax.get_lines() if line.get_label() == "nudged")
    assert list(nudged.get_xdata()) == [0, 100, 150] and list(nudged.get_ydata()) == [1e-8, 1e-6, 1e-4]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[0].startswith("constant: 0.0 throughout")


def test_in_the_graders_sandbox_the_plots_draw_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """No one sees a figure there: each helper returns an empty one, without calling a model."""
    import source_lib

    monkeypatch.setenv(source_lib.GRADER_SANDBOX_VARIABLE, "1")
    X, y = np.zeros((2, 2)), np.array([0.0, 1.0])

    def never(points: np.ndarray) -> np.ndarray:
        raise AssertionError("a model was evaluated for a figure nobody sees")

    figures = [plots.cost_curves({"a": [1.0]}, "t"), plots.decision_regions(X, y, {"m": never}, "t"),
               plots.unit_weights({"a": np.zeros((3, 2))}, "t"), plots.log_curves({"a": [1.0]}, "t", "s"),
               plots.convergence({"a": [1.0]}, 0.0, "t"), plots.decision_boundaries(X, y, {}, "t"),
               plots.norm_curves([1], {"a": [1.0]}, "t")]
    assert all(fig.axes == [] for fig in figures)
    assert plt.get_fignums() == []
    monkeypatch.delenv(source_lib.GRADER_SANDBOX_VARIABLE)
    assert plots.cost_curves({"a": [1.0]}, "t").axes
