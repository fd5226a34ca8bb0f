"""Command line: ``glipca analyse INPUT... --out DIR``, ``glipca count INPUT...
--out DIR``, ``glipca report DIR``, ``glipca posts DIR``.

Argument parsing, progress and error reporting only; the work is done by
:func:`glipca.pipeline.run_analysis` and :func:`glipca.report.write_results`.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import traceback
import warnings

import click

from . import __version__
from .console import cache_line, in_flags, print_posts, print_summary, warn
from .counting.options import DEFAULT_JOBS

#: Exit code for bad input or usage, as click uses for usage errors.
EXIT_INPUT = 2
EXIT_FAILURE = 1


def _alpha(value):
    """``--alpha`` as GLIPCA takes it, checked by GLIPCA's own rule before any work."""
    from .model.cluster import GLIPCA

    alpha = "auto" if value is None else value
    if alpha != "auto":
        try:
            alpha = float(value)
        except ValueError:
            alpha = None
    try:
        GLIPCA(alpha=alpha)._validate_params()
    except ValueError:
        # GLIPCA's rule decides; its message speaks of Python types.
        raise click.BadParameter(f"--alpha {value}: must be a positive number or 'auto'") from None
    return alpha


def _fail(message, code, debug):
    if debug:
        traceback.print_exc()
    # One line, whatever the message held, naming options as flags.
    click.echo(f"glipca: error: {' '.join(in_flags(message).split())}", err=True)
    sys.exit(code)


@contextlib.contextmanager
def _one_line_errors(debug, interrupted="interrupted", user_errors=()):
    """Turn every failure inside into one line and an exit code.

    Bad input, options and files (InputError and OutputExists are a
    ValueError and an OSError) exit 2; anything else is a bug, still told in
    one line with a way to see more.
    """
    try:
        yield
    except (click.BadParameter, ValueError, OSError, *user_errors) as err:
        _fail(err, EXIT_INPUT, debug)
    except KeyboardInterrupt:
        _fail(interrupted, 130, debug)
    except Exception as err:
        _fail(f"{type(err).__name__}: {err} (rerun with --debug for details)", EXIT_FAILURE, debug)


def _reading_options(f):
    """Options that decide how posts become word counts (analyse and count)."""
    options = [
        click.option("--lang", default="auto", show_default=True, help="auto, en, ja, zh, or the ISO 639-1 code of another language written with spaces."),
        click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv", "tsv"]), help="Input format (default: from the file name)."),
        click.option("--text-field", help="Field holding the post text (default: guessed)."),
        click.option("--time-field", help="Field holding the post time (default: guessed)."),
        click.option("--id-field", help="Field holding the post id (default: guessed)."),
        click.option("--sep", help="Column separator of CSV files: ',', ';', tab, '|'... [default: told from the header and first rows]."),
        click.option("--dayfirst/--monthfirst", default=None, help="Dates such as 01/03/2024 are day-first (1 March) or month-first [default: decided from the file; a date with a field above 12 settles it]."),
        click.option("--time-format", help="strftime format of the times, e.g. '%d.%m.%Y %H:%M' [default: recognised]."),
        click.option("--tz", help="Time zone of period boundaries and naive times [default: Asia/Tokyo for ja, Asia/Shanghai for zh, else UTC]."),
        click.option("--freq", default="auto", show_default=True, help="Period length: D, 2D, 12h, W, W-MON, MS..., or auto: the finest of D, W, MS that leaves enough periods with posts."),
        click.option("--since", help="First day (or time) of the analysis window, e.g. 2016-10-01 [default: the span that holds the bulk of the posts]."),
        click.option("--until", help="Last day (or time) of the analysis window, inclusive."),
        click.option("--last", help="Instead of --since: the window's length, ending at --until or at the last posts, e.g. 60D, 8W, 36h."),
        click.option("--on-error", type=click.Choice(["raise", "skip"]), default="raise", show_default=True, help="Stop at the first bad record, or skip and count bad records."),
        click.option("--drop-retweets", is_flag=True, help="Leave out posts the input marks as retweets."),
        click.option("--drop-duplicates", is_flag=True, help="Leave out posts with the same time and text as an earlier one."),
        click.option("--mecab-args", default="", help="Extra MeCab options, e.g. '-d DIR' for another dictionary such as NEologd (ja)."),
        click.option("--no-compounds", is_flag=True, help="Keep UniDic's short units instead of joining runs of nouns into compound words (ja)."),
        click.option("--stop-words", type=click.Path(dir_okay=False), help="Text file of extra stop words, one per line."),
        click.option("--user-dict", type=click.Path(dir_okay=False), help="Text file of words kept whole, one per line."),
        click.option("--jobs", "-j", type=click.IntRange(1), default=DEFAULT_JOBS, help="Processes for tokenising, stability resamples and figures [default: all cores]."),
        click.option("--cache-dir", type=click.Path(file_okay=False), help="Word-count cache [default: $GLIPCA_CACHE or ~/.cache/glipca]."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the word-count cache."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _counting(o):
    """``(CountOptions, jobs, cache)`` from the reading options of a command."""
    from .counting.options import count_options, tokenizer_options

    options = count_options(
        lang=o["lang"], fmt=o["fmt"], text_field=o["text_field"], time_field=o["time_field"],
        id_field=o["id_field"], sep=o["sep"], dayfirst=o["dayfirst"], time_format=o["time_format"],
        tz=o["tz"], freq=o["freq"], since=o["since"], until=o["until"],
        last=o["last"],
        on_error=o["on_error"],
        drop_retweets=o["drop_retweets"], drop_duplicates=o["drop_duplicates"],
        tokenizer_options=tokenizer_options(stop_words=o["stop_words"], user_words=o["user_dict"],
                                            mecab_args=o["mecab_args"],
                                            compounds=False if o["no_compounds"] else None),
    )
    cache = None if o["no_cache"] else (o["cache_dir"] or True)
    return options, o["jobs"], cache


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="glipca")
def main():
    """Trend clustering of social media posts (GLIPCA)."""


def run():
    """The ``glipca`` console script: :func:`main`, in a process that ends with it."""
    try:
        main()
    finally:
        # The interpreter's shutdown would otherwise spend 0.1 s collecting
        # the cycles among pandas' and scipy's objects, which the process's
        # end frees anyway; atexit handlers still run. Only here, not in
        # main: a caller's process (tests, notebooks) goes on.
        gc.freeze()


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--store", type=click.Path(file_okay=False), help="Analyse the posts of this count store (glipca count --store DIR --append): a folder or an fsspec URL (s3://bucket/store), instead of INPUT files; no input file is read.")
@_reading_options
@click.option("--min-count", type=click.IntRange(1), help="Drop words in fewer posts than this [default: 20, down to 5 for fewer than 2,000 posts: one post in a hundred].")
@click.option("--min-days", default=3, show_default=True, type=click.IntRange(1), help="Drop words seen in fewer periods than this.")
@click.option("--max-words", default=2000, show_default=True, type=click.IntRange(2), help="Always test this many most frequent words.")
@click.option("--min-posts", type=click.IntRange(1), help="Posts a period needs to be observed (fewer: interpolated) [default: 20, or half a typical period's posts when lower, at least 5].")
@click.option("--min-peak-count", default=20, show_default=True, type=click.IntRange(0), help="Also test every word with this many posts in one period (a burst); 0: the most frequent words only (docs/method.md).")
@click.option("--max-trends", default=400, show_default=True, type=click.IntRange(2), help="Graph-size limit: at most this many words that pass the single-peak test, the strongest (with burst candidates).")
@click.option("--min-z", default=6.0, show_default=True, type=click.FloatRange(0), help="Single-peak test: peak prominence in noise units.")
@click.option("--alpha", default="auto", show_default=True, help="Graphical lasso penalty, or 'auto' to choose it (docs/method.md).")
@click.option("--min-cluster-size", default=2, show_default=True, type=click.IntRange(2), help="Smallest cluster.")
@click.option("--resamples", default=20, show_default=True, type=click.IntRange(0), help="Bootstrap resamples for cluster stability; 0 skips it.")
@click.option("--posts", "n_posts", default=5, show_default=True, type=click.IntRange(0), help="Representative posts per cluster; 0 skips the second pass.")
@click.option("--no-cooccurrence", is_flag=True, help="Series alone decide the clusters, as in the paper: no post co-occurrence test, labels or coherence (docs/method.md).")
@click.option("--against", type=click.Path(file_okay=False, exists=True), help="A previous results folder: say which clusters appeared, grew, faded or vanished since.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--no-plots", is_flag=True, help="Write tables only (no figures, no report.html).")
@click.option("--quiet", "-q", is_flag=True, help="No progress or summary.")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def analyse(inputs, out, store, min_count, min_days, max_words, min_posts, min_peak_count,
            max_trends, min_z, alpha, min_cluster_size,
            resamples, n_posts, no_cooccurrence, against, force, no_plots, quiet, debug, **reading):
    """Find trend clusters in post files INPUT... (or a --store) and write them to --out."""
    from pathlib import Path

    from .report.atomic import OutputExists, occupied

    if bool(inputs) == (store is not None):
        _fail("give INPUT files or --store DIR", EXIT_INPUT, debug)
    with _one_line_errors(debug):
        alpha = _alpha(alpha)
        if store is not None and "://" not in store and not (Path(store) / "store.json").is_file():
            raise ValueError(f"{store}: not a count store (no store.json); make one with "
                             "glipca count INPUT... --store DIR --append")
        # Checked before the work too, so that a refusal costs nothing.
        if occupied(out) and not force:
            raise OutputExists(f"{out}: output folder exists; use --force to replace it")
        from .counting.parallel import available_cores, start_worker_server
        from .pipeline import run_analysis
        from .report.folder import write_results
        from .model.series import SinglePeakTest

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            options, jobs, cache = _counting(reading)
            if not no_plots and (jobs or available_cores()) > 1:
                # Figures are drawn in worker processes; their server's
                # imports can run while the posts are read and clustered.
                start_worker_server()
            if store is not None:
                from .counting.store import CountStore

                source = CountStore(store)
            else:
                source = list(inputs)
            result = run_analysis(
                source, options, jobs=jobs, cache=cache, min_count=min_count,
                min_periods=min_days, max_words=max_words, min_posts=min_posts,
                min_peak_count=min_peak_count or None, max_trends=max_trends,
                peak_test=SinglePeakTest(min_z=min_z),
                alpha=alpha, min_cluster_size=min_cluster_size, n_resamples=resamples,
                n_posts=n_posts, cooccurrence=not no_cooccurrence, progress=not quiet,
                against=against,
            )
            doc = write_results(result, out, force=force, plots=not no_plots, jobs=jobs,
                                times=result.timings, progress=not quiet,
                                command=_command_line(click.get_current_context()))
    if not quiet:
        # Solver warnings are worth knowing, once each, without a stack.
        for message in dict.fromkeys(str(w.message).splitlines()[0] for w in caught):
            warn(message)
        counts = (f"counts: from store {store}" if store is not None else
                  cache_line(result.counts_key, result.from_cache, not reading["no_cache"]))
        print_summary(doc, result.report, out, counts,
                      report_path=None if no_plots else Path(out) / "report.html")
        # Times differ from run to run, so they are printed, not written.
        click.echo(f"time: {result.timings.line()}")


#: Options that change how a command runs, not what it finds: left out of
#: the command line recorded with the results, so that they do not change
#: the results' bytes (nor does the output folder: the same analysis saved
#: in two folders gives the same files).
_HOW_IT_RUNS = {"quiet", "debug", "force", "jobs", "cache_dir", "no_cache", "out"}


def _command_line(ctx):
    """The command as a reader would retype it: options that differ from their
    defaults (except :data:`_HOW_IT_RUNS`), files named without their folders
    (the same run anywhere gives the same line)."""
    import os
    import shlex

    words = ["glipca", ctx.info_name]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        is_path = isinstance(param.type, click.Path)
        if isinstance(param, click.Argument):
            words += [os.path.basename(v) if is_path else str(v) for v in value]
        elif param.name not in _HOW_IT_RUNS and value is not None \
                and value != param.default and value is not False:
            name = max(param.opts, key=len)
            if param.is_flag:
                words.append(name)
            else:
                words += [name, os.path.basename(str(value)) if is_path else str(value)]
    return shlex.join(words)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output folder for the counts.")
@click.option("--store", type=click.Path(file_okay=False), help="Count store to add the posts to, with --append (instead of --out): a folder, or an fsspec URL (s3://bucket/store, docs/scaling.md).")
@click.option("--append", is_flag=True, help="With --store: add the posts to the store (made if absent).")
@click.option("--no-wait", is_flag=True, help="With --store: refuse at once when another append holds the store, instead of waiting for it.")
@_reading_options
@click.option("--min-count", default=1, show_default=True, type=click.IntRange(1), help="Drop words in fewer posts than this.")
@click.option("--min-days", default=1, show_default=True, type=click.IntRange(1), help="Drop words seen in fewer periods than this.")
@click.option("--dask", "use_dask", is_flag=True, help="Count on Dask: a local cluster, or --scheduler's (docs/scaling.md).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler to run on, e.g. tcp://host:8786 (implies --dask).")
@click.option("--workers", type=click.IntRange(1), help="Workers of the local Dask cluster [default: --jobs, else all cores].")
@click.option("--block-size", default=64, show_default=True, type=click.IntRange(1), help="MiB of a JSON lines file per Dask task.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress or summary.")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def count(inputs, out, store, append, no_wait, min_count, min_days, use_dask, scheduler, workers, block_size,
          force, quiet, debug, **reading):
    """Count words per period in post files INPUT... and write them to --out.

    The folder holds counts.parquet (period, word, count), periods.parquet
    (period, posts) and meta.json (options and the ingest report), the same
    format as the cache.  With --dask, INPUT may also be an fsspec URL or
    glob (s3://bucket/dump/*.jsonl.gz) and the counts are the same.  With
    --store DIR --append, the posts are added to a growing count store
    instead (glipca.counting.store); DIR may be an fsspec URL
    (s3://bucket/store), and with --dask INPUT may be URLs too.
    """
    from pathlib import Path

    from .report.atomic import OutputExists, occupied

    if (out is None) == (store is None) or (store is not None and not append):
        _fail("give --out DIR, or --store DIR --append", EXIT_INPUT, debug)
    dask = use_dask or scheduler is not None
    if store is not None:
        on_dask = _needs_dask(debug) if dask else None
        return _append_to_store(inputs, store, reading, quiet, debug, wait=not no_wait,
                                on_dask=on_dask, dask_kwargs=dict(
                                    scheduler=scheduler, n_workers=workers,
                                    blocksize=block_size << 20))
    with _one_line_errors(debug):
        if occupied(out) and not force:
            raise OutputExists(f"{out}: output folder exists; use --force to replace it")
        options, jobs, cache = _counting(reading)
        if not dask:
            from .counting.parallel import available_cores, start_worker_server

            if (jobs or available_cores()) > 1:
                # The counting pool's workers then start beside this
                # process's imports, not after them.
                start_worker_server(("glipca.counting.chunks",))
        from .counting.cache import write_counts
        from .counting.prepare import prepare_counts
        from .report.atomic import atomic_dir

        if dask:
            count_on_dask = _needs_dask(debug).count_on_dask
            # The posts' words are kept for the cache only (analyse uses
            # them); pruned counts on Dask are not cached.
            prepared = count_on_dask(
                list(inputs), options, scheduler=scheduler, n_workers=workers or jobs, cache=cache,
                min_count=min_count, min_periods=min_days, blocksize=block_size << 20,
                keep_posts=cache is not None and min_count <= 1 and min_days <= 1,
            )
        else:
            prepared = prepare_counts(list(inputs), options, jobs=jobs, cache=cache,
                                      progress=not quiet, keep_posts=cache is not None)
            if min_count > 1 or min_days > 1:
                prepared.counts = prepared.counts.prune(min_count, min_days)
        prepared.report.require_posts()
        meta = {"key": prepared.key, "params": prepared.params, "report": prepared.report.as_dict(),
                "prune": {"min_count": min_count, "min_periods": min_days},
                # The fields, date order and separator each file was read with.
                "fields": prepared.report.fields}
        with atomic_dir(out, force=force) as tmp:
            write_counts(prepared.counts, tmp, meta)
    if not quiet:
        r, c = prepared.report, prepared.counts
        print_posts(r)
        click.echo(cache_line(prepared.key, prepared.from_cache, not reading["no_cache"]))
        click.echo(
            f"periods: {c.n_periods} ({c.periods[0].date()} .. {c.periods[-1].date()}, {c.tz}), "
            f"words: {c.n_words}"
        )
        click.echo(f"counts written to {out}")


def _needs_dask(debug):
    """The Dask counting module, or a one-line error (exit 2) when Dask is absent:
    ``--dask`` never falls back to counting here."""
    import importlib

    try:
        dask = importlib.import_module(".counting.dask", __package__)
    except ImportError:
        _fail("--dask needs Dask: pip install 'glipca[dask]'", EXIT_INPUT, debug)
    return dask


def _append_to_store(inputs, folder, reading, quiet, debug, wait=True, on_dask=None,
                     dask_kwargs=None):
    from .counting.store import CountStore

    def notify(message):  # waiting, or a dead append's lock taken over: said even with --quiet
        click.echo(f"glipca: {message}", err=True)

    with _one_line_errors(debug, interrupted="interrupted (the store is as it was)"):
        options, jobs, _ = _counting(reading)
        if on_dask is not None:
            kwargs = dict(dask_kwargs)
            kwargs["n_workers"] = kwargs["n_workers"] or jobs
            done = on_dask.append_on_dask(CountStore(folder), list(inputs), options, wait=wait,
                                          notify=notify, **kwargs)
        else:
            done = CountStore(folder).append(list(inputs), options, jobs=jobs, progress=not quiet,
                                             wait=wait, notify=notify)
    if not quiet:
        click.echo(f"{done['added']} posts added to {folder} ({done['periods']} period parts); "
                   f"{done['repeated']} already there; {done['skipped_inputs']} input file(s) "
                   "appended before, skipped")


@main.group()
def store():
    """Check, describe or clean a count store (glipca count --store DIR --append)."""


def _store_folder(folder):
    """The count store at ``folder``; a usage error where there is none."""
    from .counting.store import CountStore

    found = CountStore(folder)
    if found.on_object_storage:
        if not found.generation():
            raise click.BadParameter(f"{folder}: not a count store (no manifests)")
    elif not (found.folder / "store.json").is_file():
        raise click.BadParameter(f"{folder}: not a count store (no store.json)")
    return found


@store.command()
@click.argument("folder")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def verify(folder, debug):
    """Re-read every part of the store FOLDER against its manifest.

    One line per problem on stdout; exit 2 when the store is damaged.
    """
    with _one_line_errors(debug):
        found = _store_folder(folder)
        from .counting.verify import unlisted_parts, verify_store

        problems = verify_store(folder)
        for line in problems:
            click.echo(f"{folder}: {line}")
        if problems:
            raise ValueError(f"{folder}: {len(problems)} problem(s) found; the store is damaged")
        left = unlisted_parts(folder)
    if left:
        click.echo(f"{folder}: {len(left)} " + (
            "file(s) no manifest will name, left by appends that lost a race or died (glipca "
            "store gc removes them)" if found.on_object_storage else
            "part folder(s) no manifest lists, left by an append that did not finish or being "
            "written now (the next append removes them)"), err=True)
    click.echo(f"{folder}: sound", err=True)


@store.command()
@click.argument("folder")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def info(folder, debug):
    """Print what the store FOLDER holds: inputs, periods, posts, words, size."""
    with _one_line_errors(debug):
        _store_folder(folder)
        from .counting.verify import store_info

        i = store_info(folder)
    p = i["periods"]
    click.echo(f"store: {i['folder']} ({i['appends']} appends, {i['parts']} parts, "
               f"{i['bytes'] / 2**20:.1f} MiB)")
    click.echo(f"inputs: {len(i['inputs'])}" + (f" ({', '.join(i['inputs'][:5])}"
                                                  f"{', ...' if len(i['inputs']) > 5 else ''})"
                                                  if i["inputs"] else ""))
    click.echo(f"periods: {p['with_posts']} with posts, {p['first']} .. {p['last']} "
               f"(freq {i['freq']}, {i['tz']}, {p['span']} in all)")
    click.echo(f"posts: {i['posts']}, words: {i['words']}, lang: {i['lang']}")
    if not i["checksums"]:
        click.echo("checksums: none recorded (made before they were); the next append adds them "
                   "for its parts", err=True)


@store.command("gc")
@click.argument("url")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def store_gc(url, dry_run, debug):
    """Remove the files of the store at URL (object storage) that no manifest
    will name: those of appends that lost a race or died, and replaced
    vocabularies.  Safe while appends run."""
    with _one_line_errors(debug):
        found = _store_folder(url)
        if not found.on_object_storage:
            raise ValueError(f"{url}: a local store needs no gc: its next append removes what an "
                             "unfinished one left")
        from .counting.objectstore import collect_garbage

        removed = collect_garbage(found, dry_run=dry_run)
    for name in removed:
        click.echo(name)
    click.echo(f"{url}: {len(removed)} file(s) {'to remove' if dry_run else 'removed'}", err=True)


def _results_folder(folder):
    from pathlib import Path

    if not (Path(folder) / "clusters.json").exists():
        raise click.BadParameter(f"{folder}: no clusters.json; is this a glipca results folder?")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--no-figures", is_flag=True, help="Text only: draw no figures.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=DEFAULT_JOBS, help="Processes drawing figures [default: all cores].")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def report(folder, no_figures, jobs, debug):
    """Rebuild FOLDER/report.html from the results saved in FOLDER."""
    with _one_line_errors(debug, user_errors=(KeyError,)):
        _results_folder(folder)
        from .report.folder import write_report

        path = write_report(folder, figures=not no_figures, jobs=jobs, progress=True)
    click.echo(f"report written to {path}")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--cluster", "-c", "cluster_id", type=int, help="Only this cluster (default: all).")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def posts(folder, cluster_id, debug):
    """Print the representative posts of the clusters saved in FOLDER.

    One post per line: cluster, time, id and text, separated by tabs, with
    the text's line breaks and tabs turned into spaces.
    """
    try:
        _results_folder(folder)
        from .report.folder import read_results

        results = read_results(folder)
        ids = [c["id"] for c in results.doc["clusters"]]
        if cluster_id is not None and cluster_id not in ids:
            found = f"clusters are 0 to {len(ids) - 1}" if ids else "no clusters were found"
            raise click.BadParameter(f"no cluster {cluster_id}; {found}")
        if results.posts is None:
            raise click.BadParameter(f"{folder}: no representative posts were kept "
                                     "(analysed with --posts 0?)")
        if cluster_id is not None and not results.posts_of(cluster_id):
            raise click.BadParameter(
                f"cluster {cluster_id} has no representative posts: no post near its peak "
                "holds two of its words"
            )
    except (click.BadParameter, ValueError, OSError, KeyError) as err:
        _fail(err, EXIT_INPUT, debug)
    for cid in ids if cluster_id is None else [cluster_id]:
        for p in results.posts_of(cid):
            text = " ".join(str(p["text"]).split())
            click.echo(f"{cid}\t{p['time']}\t{p['id']}\t{text}")


if __name__ == "__main__":  # pragma: no cover
    main()
