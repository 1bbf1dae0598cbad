"""The picture `make bench` draws (issue 6): Aurora's awake hours and the monthly bill against the
household count, this design beside the always-on baseline, and where always-on becomes cheaper.

Measured months are the points; the lines between and beyond them are a model fitted to them:
sittings fall at random over the month, so the awake share covers the month like Poisson
arrivals, awake(n) = idle + (720 - idle) * (1 - exp(-k n)), k fitted to the measured months; every
other cost is linear in households at the largest measured month's cost per household."""
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # files only: no display on a build machine
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

HOURS = 720
LARGEST = 1_000_000


@dataclass(frozen=True)
class Model:
    idle_hours: float
    k: float                     # how fast sittings cover the month, per household
    idle_design: float           # USD: the idle month without Aurora's compute
    design_per_household: float  # USD a household adds, Aurora's compute apart
    acu_hour_usd: float          # what an awake hour costs (awake ACU x price)
    idle_baseline: float
    baseline_per_household: float

    def awake_hours(self, households: float) -> float:
        return self.idle_hours + (HOURS - self.idle_hours) * (1 - math.exp(-self.k * households))

    def design(self, households: float) -> float:
        return self.idle_design + self.design_per_household * households + self.awake_hours(households) * self.acu_hour_usd

    def baseline(self, households: float) -> float:
        return self.idle_baseline + self.baseline_per_household * households

    def crossing(self) -> float | None:
        """The smallest household count (up to a million) where always-on costs less, if any."""
        counts = [10 ** (e / 100) for e in range(0, 601)]
        return next((n for n in counts if self.baseline(n) < self.design(n)), None)


def fit(measured: dict[int, dict[str, float]], idle: dict[str, float], acu_hour_usd: float) -> Model:
    """measured: households -> awake_hours, design_usd, design_aurora_usd, baseline_usd; idle likewise."""
    span = HOURS - idle["awake_hours"]
    ks = [-math.log(1 - min(m["awake_hours"] - idle["awake_hours"], span * 0.999) / span) / n
          for n, m in measured.items() if m["awake_hours"] > idle["awake_hours"]]
    largest = max(measured)
    top = measured[largest]
    idle_design = idle["design_usd"] - idle["design_aurora_usd"]
    return Model(idle["awake_hours"], max(sum(ks) / len(ks), 1e-9) if ks else 1e-9, idle_design,
                 (top["design_usd"] - top["design_aurora_usd"] - idle_design) / largest, acu_hour_usd,
                 idle["baseline_usd"], (top["baseline_usd"] - idle["baseline_usd"]) / largest)


def draw(model: Model, measured: dict[int, dict[str, float]], goals: dict[int, float], path: Path) -> None:
    counts = [10 ** (e / 20) for e in range(0, 121)]
    figure, (hours, cost) = plt.subplots(1, 2, figsize=(12, 4.8))
    hours.plot(counts, [model.awake_hours(n) for n in counts], label="this design (model)")
    hours.scatter(list(measured), [m["awake_hours"] for m in measured.values()], zorder=3, label="measured month")
    hours.scatter(list(goals), list(goals.values()), marker="_", s=300, color="green", label="goal (issue 6)")
    hours.axhline(HOURS, color="red", linestyle="--", label="always on (720 h)")
    hours.set(xscale="log", yscale="log", xlabel="households", ylabel="Aurora awake hours per month",
              title="Aurora awake time")
    cost.plot(counts, [model.design(n) for n in counts], label="this design (model)")
    cost.plot(counts, [model.baseline(n) for n in counts], color="red", label="baseline: always on + proxy + NAT")
    cost.scatter(list(measured), [m["design_usd"] for m in measured.values()], zorder=3, label="this design, measured")
    cost.scatter(list(measured), [m["baseline_usd"] for m in measured.values()], color="red", zorder=3)
    crossing = model.crossing()
    if crossing is not None:
        cost.axvline(crossing, color="black", linestyle=":", label=f"always-on cheaper from ~{crossing:,.0f}")
    else:
        cost.text(0.02, 0.5, f"always-on is never cheaper\nup to {LARGEST:,} households", transform=cost.transAxes)
    cost.set(xscale="log", yscale="log", xlabel="households", ylabel="USD per month (storage apart)",
             title="Monthly bill")
    for axes in (hours, cost):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
