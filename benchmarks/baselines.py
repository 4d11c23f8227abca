"""Every catalog dataset: the recipe `auto` picks, with defaults, beside the
classical baselines on the same split in the same run.

For each classification and regression dataset of `nnrecipes datasets`, the
recipe that `nnrecipes.families.auto` picks is trained with its defaults
(`nnrecipes.train("auto", ...)`: the default epoch budget of
`nnrecipes.engine.default_epochs`, early stopping on the validation loss),
then `nnrecipes.baselines.classical` trains the simple models on the same
splits: TF-IDF + logistic regression for text;
persistence, seasonal naive and ridge autoregression for series; logistic
regression and gradient boosting for tables; logistic regression on pixels
and the keras-io simple convnet, given the recipe's training time, for
images. The table goes into benchmarks/RESULTS.md (`baselines` section); a
rerun of some datasets keeps the other rows.

Goals (issue 13), on the test split:
- text: accuracy at or above the best TF-IDF + logistic regression;
- series: RMSE at or below ridge autoregression and below persistence;
- tables: above the linear model everywhere (accuracy; for regression, a
  lower RMSE than ridge), and within 1 point of gradient boosting (for
  regression: RMSE at most 1% above its) on tables of 1,000 rows or more;
- images: accuracy at or above the simple convnet given the recipe's own
  training time (it trains epochs until that time is spent).

Run: python benchmarks/baselines.py [--data-dir D] [--only NAME[,NAME]] [--skip-large]
     [--recipe NAME] [--no-write]
     python benchmarks/baselines.py --render-only   (rewrite the table, run nothing)
"""

import argparse
import json
import os
import platform
import re
import sys
import time

import results_file

BEGIN, END = "<!-- baselines:begin -->", "<!-- baselines:end -->"
DATA_BEGIN, DATA_END = "<!-- baselines-data:", ":baselines-data -->"
# The slow ones on 2 CPU cores: last in a full run, left out by --skip-large.
LARGE = ("adult", "beijing_pm25", "fashion_mnist")
TABLE_ROWS_FOR_BOOSTING_GOAL = 1000


def kind_of(splits):
    if splits.kind == "sequence" and "target_feature" in (splits.info or {}):
        return "series"
    return splits.kind


def goal(kind, rows, recipe, baselines):
    """(met, the goal in words, the baseline the goal is judged against)."""
    by_name = {b["name"]: b for b in baselines}
    score = recipe["score"]
    if kind == "text":
        tfidf = max((b for b in baselines if "TF-IDF" in b["name"]), key=lambda b: b["score"])
        return score >= tfidf["score"], ">= TF-IDF + LR", tfidf
    if kind == "series":
        ridge = next(b for b in baselines if b["name"].startswith("ridge"))
        persistence = by_name["persistence"]
        return (score <= ridge["score"] and score < persistence["score"],
                "RMSE <= ridge AR, < persistence", ridge)
    if kind == "image":
        convnet = by_name.get("keras-io simple convnet")
        return score >= convnet["score"], ">= convnet given the recipe's time", convnet
    linear = baselines_named(baselines, ("logistic regression", "ridge regression"))
    boosting = by_name["histogram gradient boosting"]
    if recipe["metric"] == "accuracy":
        met = score > linear["score"]
        text = "> LR"
        if rows >= TABLE_ROWS_FOR_BOOSTING_GOAL:
            met = met and score >= boosting["score"] - 0.01
            text += ", >= HGB - 1 point"
    else:
        met = score < linear["score"]
        text = "RMSE < ridge"
        if rows >= TABLE_ROWS_FOR_BOOSTING_GOAL:
            met = met and score <= 1.01 * boosting["score"]
            text += ", <= 1.01 x HGB"
    judged = boosting if rows >= TABLE_ROWS_FOR_BOOSTING_GOAL else linear
    return met, text, judged


def baselines_named(baselines, names):
    return next(b for b in baselines if b["name"] in names)


def run_one(name, data_dir, recipe_name):
    from nnrecipes import data

    return run_splits(data.load(name, data_dir=data_dir), recipe_name)


def run_splits(splits, recipe_name=None):
    """One row: `recipe_name` (default: auto's pick) with defaults against
    the classical baselines on `splits`."""
    import nnrecipes
    from nnrecipes import baselines as classical_lib
    from nnrecipes import data
    from nnrecipes import engine
    from nnrecipes.families import auto

    name = splits.name
    choice = auto.choose_for(splits)
    start = time.perf_counter()
    result = nnrecipes.train(recipe_name or "auto", splits, export=False, diagnostics=False,
                             verbose=0)
    seconds = time.perf_counter() - start
    recipe = nnrecipes.get_recipe(recipe_name or choice.recipe)
    metric = "accuracy" if splits.num_classes is not None else "rmse"
    val = engine.evaluate(result.model, data.choose_view(splits, recipe), part="val")[metric]
    trained = result.manifest["training"]["seconds"]
    start = time.perf_counter()
    baselines = classical_lib.classical(
        splits, convnet_seconds=trained if splits.kind == "image" else None)
    rows = len(splits.x_train) + len(splits.x_val) + len(splits.x_test)
    mine = {"recipe": recipe.name, "metric": metric, "score": result.test_metrics[metric],
            "val_score": val, "seconds": round(seconds, 1), "training_seconds": trained,
            "epochs": len(result.history.epoch),
            "reason": result.manifest.get("auto", {}).get("reason")}
    kind = kind_of(splits)
    met, goal_text, judged = goal(kind, rows, mine, baselines)
    return {"dataset": name, "kind": kind, "rows": rows, "recipe": mine,
            "baselines": baselines, "baselines_seconds": round(time.perf_counter() - start, 1),
            "met": bool(met), "goal": goal_text, "judged_against": judged["name"],
            "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
            "date": time.strftime("%Y-%m-%d")}


def _score(metric, value):
    return f"{100 * value:.2f}%" if metric == "accuracy" else f"RMSE {value:.4g}"


def _gap(metric, mine, theirs):
    if metric == "accuracy":
        gap = 100 * (mine - theirs)
        return f"{0.0 if abs(gap) < 1e-4 else gap:+.2f} pt"
    return f"x{mine / theirs:.3f}" if theirs else "-"


def _met(row):
    if row["met"]:
        return "yes"
    mine = row["recipe"]
    linear = [b for b in row["baselines"] if b["name"] == "logistic regression"]
    if row["kind"] == "tabular" and linear and abs(mine["score"] - linear[0]["score"]) < 1e-6 \
            and row["judged_against"] == "logistic regression":
        return f"tie ({100 * mine['score']:.2f}% both)"
    return "**no**"


def render(rows, order):
    lines = ["| dataset | kind | rows | recipe (auto) | score (val) | best baseline | "
             "its score | gap | goal | met | wall time: recipe / baselines | epochs |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    present = sorted((n for n in order if n in rows), key=lambda n: (rows[n]["kind"], n))
    for name in present:
        row = rows[name]
        mine = row["recipe"]
        best = max(row["baselines"], key=lambda b: b["score"] if b["metric"] == "accuracy"
                   else -b["score"])
        judged = next(b for b in row["baselines"] if b["name"] == row["judged_against"])
        lines.append(
            f"| {name} | {row['kind']} | {row['rows']:,} | {mine['recipe']} | "
            f"{_score(mine['metric'], mine['score'])} "
            f"({_score(mine['metric'], mine['val_score'])}) "
            f"| {best['name']} | {_score(best['metric'], best['score'])} | "
            f"{_gap(mine['metric'], mine['score'], judged['score'])} vs {judged['name']} | "
            f"{row['goal']} | {_met(row)} | "
            f"{mine['seconds']:.0f} s / {row['baselines_seconds']:.0f} s | {mine['epochs']} |")
    lines.append("")
    lines.append("Other baselines per dataset (test): " + " ".join(
        f"**{name}**: " + "; ".join(f"{b['name']} {_score(b['metric'], b['score'])}"
                                    for b in rows[name]["baselines"]) + "."
        for name in present))
    machines = sorted({f"{row['machine']} ({row['date']})" for row in rows.values()})
    lines.append("")
    lines.append("Measured on: " + "; ".join(machines) + ". Scores are on the test split, "
                 "the recipe's validation score in brackets; wall time is the whole "
                 "`nnrecipes.train` call (build, fit, test evaluation) beside all the "
                 "baselines of the row together, on a shared machine: upper bounds.")
    return "\n".join(lines)


def read_rows(text, begin=DATA_BEGIN, end=DATA_END):
    match = re.search(re.escape(begin) + "(.*?)" + re.escape(end), text, re.S)
    return json.loads(match.group(1)) if match else {}


def catalog_order():
    from nnrecipes import data

    names = [n for n in data.list_datasets()]
    return [n for n in names if n not in LARGE] + [n for n in LARGE if n in names]


def main():
    parser = argparse.ArgumentParser(description="auto's recipe against classical baselines.")
    parser.add_argument("--data-dir", help="the real-data folder (default: $NNRECIPES_DATA_DIR)")
    parser.add_argument("--only", help="comma-separated dataset names")
    parser.add_argument("--skip-large", action="store_true",
                        help=f"leave out {', '.join(LARGE)} (slow on a few CPU cores)")
    parser.add_argument("--recipe", help="train this recipe instead of auto's pick "
                                         "(to compare families; rows are not written)")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the table from the stored rows, run nothing")
    args = parser.parse_args()
    order = catalog_order()
    names = args.only.split(",") if args.only else order
    unknown = sorted(set(names) - set(order))
    if unknown:
        parser.error(f"unknown dataset(s) {unknown}; valid: {order}")
    if args.skip_large:
        names = [n for n in names if n not in LARGE]
    if args.render_only:
        names = []
    existing = read_rows(open(results_file.RESULTS).read()) \
        if os.path.exists(results_file.RESULTS) else {}
    rows = dict(existing)
    for name in names:
        print(f"{name} ...", flush=True)
        try:
            row = run_one(name, args.data_dir, args.recipe)
        except (FileNotFoundError, ValueError) as error:
            print(f"  skipped: {error}", flush=True)
            continue
        print_row(row)
        print("ROW " + json.dumps(row), flush=True)
        rows[name] = row
        if not (args.no_write or args.recipe):
            write(rows, order)
    if args.render_only:
        write(rows, order)
    return 0


def print_row(row):
    mine = row["recipe"]
    print(f"  {mine['recipe']}: {_score(mine['metric'], mine['score'])} "
          f"(val {_score(mine['metric'], mine['val_score'])}, {mine['seconds']:.0f} s, "
          f"{mine['epochs']} epochs); goal {row['goal']}: "
          f"{'met' if row['met'] else 'NOT met'}", flush=True)
    for b in row["baselines"]:
        print(f"  {b['name']}: {_score(b['metric'], b['score'])} "
              f"(val {_score(b['metric'], b['val_score'])}, {b['seconds']:.1f} s)", flush=True)


def write(rows, order, markers=(BEGIN, END, DATA_BEGIN, DATA_END),
          title="Baselines: auto against classical models"):
    """The table, then the rows as JSON, one dataset a line (small diffs on
    reruns), into the RESULTS.md section between `markers` (section begin and
    end, data begin and end)."""
    begin, end, data_begin, data_end = markers
    data = ",\n".join(f"{json.dumps(name)}: {json.dumps(row)}" for name, row in rows.items())
    body = f"{render(rows, order)}\n{data_begin}{{\n{data}\n}}{data_end}"
    results_file.write_section(begin, end, body, title)


if __name__ == "__main__":
    sys.exit(main())
