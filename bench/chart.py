"""The picture `make bench` draws: Aurora's awake hours and the monthly bill against the household
count for three designs (this one; this one with reads through the auto-pausing Aurora; the usual
always-on shape), and the household counts where this design's Aurora passes 100 h and 250 h awake
a month, where the usual advice is to compare with a small always-on database.

Measured months are the points; the lines between and beyond them are a model fitted to them:
sittings fall at random over the month, so the awake share covers the month like Poisson
arrivals, awake(n) = idle + (720 - idle) * (1 - exp(-k n)), k fitted to the measured months (least
squares on the logarithm, so each size counts alike); every other cost is linear in households at
the largest measured month's cost per household."""
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # files only: no display on a build machine
import matplotlib.pyplot as plt

HOURS = 720
LARGEST = 1_000_000
MARKS = (100, 250)   # awake hours a month where a small always-on database is worth a comparison


@dataclass(frozen=True)
class Model:
    idle_hours: float
    k: float                     # how fast sittings cover the month, per household
    idle_design: float           # USD: the idle month without Aurora's compute
    design_per_household: float  # USD a household adds, Aurora's compute apart
    acu_hour_usd: float          # what an awake hour costs (awake ACU x price)
    idle_baseline: float
    baseline_per_household: float
    k_reads: float = 1e-9        # the same, had every read been a database session
    idle_reads: float = 0.0
    reads_per_household: float = 0.0

    def awake_hours(self, households: float) -> float:
        return _covered(self.idle_hours, self.k, households)

    def reads_awake_hours(self, households: float) -> float:
        return _covered(self.idle_hours, self.k_reads, households)

    def design(self, households: float) -> float:
        return self.idle_design + self.design_per_household * households + self.awake_hours(households) * self.acu_hour_usd

    def reads(self, households: float) -> float:
        return (self.idle_reads + self.reads_per_household * households
                + self.reads_awake_hours(households) * self.acu_hour_usd)

    def baseline(self, households: float) -> float:
        return self.idle_baseline + self.baseline_per_household * households

    def crossing(self) -> float | None:
        """The smallest household count (up to a million) where always-on costs less, if any."""
        counts = [10 ** (e / 100) for e in range(601)]
        return next((n for n in counts if self.baseline(n) < self.design(n)), None)

    def households_at(self, hours: float) -> float | None:
        """Where this design's Aurora passes `hours` awake a month; None if it never does."""
        if not self.idle_hours < hours < HOURS:
            return None
        return -math.log(1 - (hours - self.idle_hours) / (HOURS - self.idle_hours)) / self.k


def fit(measured: dict[int, dict[str, float]], idle: dict[str, float], acu_hour_usd: float) -> Model:
    """measured: households -> awake_hours, design_usd, design_aurora_usd, baseline_usd and, when known,
    reads_awake_hours, reads_usd, reads_aurora_usd; idle likewise."""
    largest = max(measured)
    top = measured[largest]
    idle_design = idle["design_usd"] - idle["design_aurora_usd"]
    idle_reads = idle.get("reads_usd", 0.0) - idle.get("reads_aurora_usd", 0.0)
    reads = {n: m["reads_awake_hours"] for n, m in measured.items() if "reads_awake_hours" in m}
    return Model(idle["awake_hours"], _fit_k({n: m["awake_hours"] for n, m in measured.items()}, idle["awake_hours"]),
                 idle_design, (top["design_usd"] - top["design_aurora_usd"] - idle_design) / largest, acu_hour_usd,
                 idle["baseline_usd"], (top["baseline_usd"] - idle["baseline_usd"]) / largest,
                 _fit_k(reads, idle["awake_hours"]), idle_reads,
                 (top.get("reads_usd", 0.0) - top.get("reads_aurora_usd", 0.0) - idle_reads) / largest)


def checked(model: Model, measured: dict[int, dict[str, float]]) -> dict[str, dict[str, float]]:
    """The fitted awake hours beside the replayed ones, per size: how far to trust the crossings."""
    return {str(n): {"replayed": round(m["awake_hours"], 2), "model": round(model.awake_hours(n), 2)}
            for n, m in measured.items()}


def _covered(idle_hours: float, k: float, households: float) -> float:
    return idle_hours + (HOURS - idle_hours) * (1 - math.exp(-k * households))


def _fit_k(awake: dict[int, float], idle_hours: float) -> float:
    """k minimising the squared log error over the measured sizes (ternary search on log k)."""
    points = {n: h for n, h in awake.items() if h > idle_hours}
    if not points:
        return 1e-9

    def error(log_k: float) -> float:
        return sum((math.log(_covered(idle_hours, math.exp(log_k), n)) - math.log(h)) ** 2 for n, h in points.items())
    low, high = math.log(1e-12), math.log(10.0)
    for _ in range(200):
        a, b = low + (high - low) / 3, high - (high - low) / 3
        low, high = (low, b) if error(a) <= error(b) else (a, high)
    return math.exp((low + high) / 2)


def draw(model: Model, measured: dict[int, dict[str, float]], goals: dict[int, float], path: Path) -> None:
    counts = [10 ** (e / 20) for e in range(121)]
    figure, (hours, cost) = plt.subplots(1, 2, figsize=(13, 5.2))
    hours.plot(counts, [model.awake_hours(n) for n in counts], label="this design (model)")
    hours.plot(counts, [model.reads_awake_hours(n) for n in counts], color="orange",
               label="reads through auto-pausing Aurora (model)")
    hours.scatter(list(measured), [m["awake_hours"] for m in measured.values()], zorder=3, label="replayed month")
    reads = {n: m["reads_awake_hours"] for n, m in measured.items() if "reads_awake_hours" in m}
    hours.scatter(list(reads), list(reads.values()), color="orange", zorder=3)
    hours.scatter(list(goals), list(goals.values()), marker="_", s=300, color="green", label="goal")
    hours.axhline(HOURS, color="red", linestyle="--", label="always on (720 h)")
    for mark, style in zip(MARKS, (":", "-."), strict=True):
        at = model.households_at(mark)
        if at is not None and at <= LARGEST:
            hours.axhline(mark, color="grey", linestyle=style, linewidth=0.8)
            hours.axvline(at, color="black", linestyle=style, label=f"this design passes {mark} h at ~{at:,.0f} households")
    hours.set(xscale="log", yscale="log", xlabel="households", ylabel="Aurora awake hours per month",
              title="Aurora awake time")
    cost.plot(counts, [model.design(n) for n in counts], label="this design (model)")
    cost.plot(counts, [model.reads(n) for n in counts], color="orange", label="reads through auto-pausing Aurora")
    cost.plot(counts, [model.baseline(n) for n in counts], color="red", label="always on + proxy + NAT")
    cost.scatter(list(measured), [m["design_usd"] for m in measured.values()], zorder=3, label="replayed month")
    cost.scatter([n for n, m in measured.items() if "reads_usd" in m],
                 [m["reads_usd"] for m in measured.values() if "reads_usd" in m], color="orange", zorder=3)
    cost.scatter(list(measured), [m["baseline_usd"] for m in measured.values()], color="red", zorder=3)
    cost.set(xscale="log", yscale="log", xlabel="households", ylabel="USD per month, free tiers applied (storage apart)",
             title="Monthly bill")
    for axes in (hours, cost):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
