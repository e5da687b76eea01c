"""Speed at FordA shape (length 500): stage-1 training (batch 128), default vs reference
configuration, stage-2 prior training, and stage-2 sampling throughput (1024 class-conditional
series, prior + decoder).

For each configuration, in a fresh subprocess: training series/s (real ``fit`` path, median over
epochs after the first), transform series/s, peak resident memory, training FLOPs per series
(counted with torch's FlopCounterMode on one fp32 forward + backward) and the achieved FLOP/s
divided by the fp32 matmul FLOP/s measured in the same process.

Prior training is timed on ``MaskGITSampler.fit`` over the tokens of ``--n-series`` series (median
epoch after the first, the sampler's own batch size), on a tokenizer trained for one epoch, which
does not change the work per series: what a time-budgeted prior fit turns into epochs.

Sampling is timed on ``MaskGITSampler.sample`` (iterative decoding, T=10, then the decoder) after
a warm-up call; the priors are untrained (1 epoch), which does not change the work per sample.

The peer, the TimeVQVAE package in its README configuration, is measured in the same run when
``--peer-python`` names an interpreter that has it (``_timevqvae_speed.py``: stage-1 and prior
training series/s on batches of 128, sampling series/s); without it the ratios read "peer not
measured". Its environment: numpy 2.x, einops, pyyaml and torch, then
``pip install --no-deps --ignore-requires-python timevqvae==1.0.1``.

Usage: python benchmarks/speed.py [--n-series 1024] [--epochs 4] [--only training|prior|sampling]
       [--peer-python ENV/bin/python] [--name speed]
Writes benchmarks/results/speed.json and speed.md (a part not re-run keeps its old rows);
``--name speed_xeon`` writes speed_xeon.json / .md instead, to keep another machine's rows apart.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time

CONFIGS = {
    "reference (BT, 4096 projector, fp32)": dict(
        ssl="barlowtwins", projector_dim=4096, precision="fp32", _layout="nchw"
    ),
    "reference sizes, channels-last (BT, 4096, fp32)": dict(
        ssl="barlowtwins", projector_dim=4096, precision="fp32"
    ),
    "default (BT, 512 projector, auto precision)": dict(ssl="barlowtwins"),
    "default, fp32": dict(ssl="barlowtwins", precision="fp32"),
    "naive VQ-VAE (auto precision)": dict(ssl=None),
}
LENGTH, BATCH = 500, 128
# the prior's training: what a time-budgeted fit turns into epochs
PRIOR_TRAINING = {
    "prior default (column positions, width 128)": dict(),
    "prior default, bf16 training": dict(precision="bf16"),
    "prior width 64": dict(hidden_dim=64),
    "prior default, batch 64": dict(batch_size=64),
    "prior token positions (reference layout), width 128": dict(positions="token", hidden_dim=128),
    "prior reference (token positions, width 256, batch 256)": dict(
        positions="token", hidden_dim=256, batch_size=256
    ),
}
SAMPLING = {
    "prior default (width 128, auto precision)": dict(),
    "prior default, fp32": dict(precision="fp32"),
    "prior width 256 (the reference's width), fp32": dict(hidden_dim=256, precision="fp32"),
    # hidden_dim="auto" is 128 under the column layout up to 2**18 training columns (FordA's
    # 3601 series hold 3601 x 31); the token layout's FordA prior was narrowed to 64
    "prior width 64": dict(hidden_dim=64),
    # guidance 2, the default since tuning_guidance_column.md, runs two passes per decoding step
    "prior default, guidance 1 (one pass per step)": dict(guidance_scale=1.0),
    # the token grid follows the tokenizer: latent_width="auto" gives 5x31 at length 500, width 8 5x15
    "prior default, tokenizer latent_width=8": dict(_tokenizer=dict(latent_width=8)),
}
NOT_MEASURED = "peer not measured"


def _random_walks(n_series: int):
    """``n_series`` float32 random walks of length ``LENGTH`` (seed 0), the series every part times."""
    import numpy as np

    rng = np.random.default_rng(0)
    return np.cumsum(rng.standard_normal((n_series, LENGTH)), axis=1).astype(np.float32)


def _quick_tokenizer(X, **params):
    """A naive tokenizer trained one epoch: stage 2's work per series does not depend on its training."""
    from skncvq import NCVQVAETransformer

    return NCVQVAETransformer(ssl=None, max_epochs=1, random_state=0, **params).fit(X)


def _matmul_flops(seconds: float = 2.0) -> float:
    import torch

    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    a @ b
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        n += 1
    return 2 * 2048**3 * n / (time.perf_counter() - t0)


def _train_flops_per_series(tok, x) -> float:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from skncvq.augment import augment

    module = tok.module_
    module.train()
    xb = torch.from_numpy(x[:BATCH])
    x_aug = augment(xb, "slice", generator=torch.Generator().manual_seed(0)) if module.projector else None
    with FlopCounterMode(display=False) as counter:
        out = module(xb, x_aug)
        module.loss(xb, out, x_aug).total.backward()
    module.zero_grad()
    return counter.get_total_flops() / BATCH


def _measure(name: str, params: dict, n_series: int, epochs: int, queue) -> None:
    import numpy as np
    import torch

    from skncvq import NCVQVAETransformer

    class ContiguousLayout(NCVQVAETransformer):
        """The faithful reference layout: plain NCHW convolutions."""

        _channels_last = False

    params = dict(params)
    cls = ContiguousLayout if params.pop("_layout", None) == "nchw" else NCVQVAETransformer
    X = _random_walks(n_series)
    matmul = _matmul_flops()
    tok = cls(max_epochs=epochs, batch_size=BATCH, random_state=0, **params).fit(X)
    durs = [row["dur"] for row in tok.history_[1:]]
    train_sps = n_series / float(np.median(durs))
    tok.transform(X[:256])
    t0 = time.perf_counter()
    tok.transform(X)
    transform_sps = n_series / (time.perf_counter() - t0)
    flops = _train_flops_per_series(tok, tok._scale(X[:BATCH]))  # (B, 1, L) scaled series
    queue.put(
        dict(
            config=name,
            precision=tok.precision_,
            projector_dim=tok.projector_dim if tok.ssl else 0,
            train_series_per_s=round(train_sps, 1),
            transform_series_per_s=round(transform_sps, 1),
            peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            train_gflop_per_series=round(flops / 1e9, 3),
            achieved_gflops=round(flops * train_sps / 1e9, 1),
            matmul_fp32_gflops=round(matmul / 1e9, 1),
            flops_over_matmul=round(flops * train_sps / matmul, 3),
            threads=torch.get_num_threads(),
        )
    )


def _measure_sampling(name: str, params: dict, n_series: int, epochs: int, queue) -> None:
    import numpy as np
    import torch

    from skncvq import MaskGITSampler

    X = _random_walks(512)
    y = np.repeat([0, 1], 256)
    params = dict(params)
    tok = _quick_tokenizer(X, **params.pop("_tokenizer", {}))
    sampler = MaskGITSampler(tokenizer=tok, max_epochs=1, random_state=0, **params).fit(X, y)
    labels = np.resize([0, 1], n_series)
    sampler.sample(64, y=labels[:64])
    t0 = time.perf_counter()
    sampler.sample_tokens(n_series, y=labels)
    tokens_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sampler.sample(n_series, y=labels)
    total_s = time.perf_counter() - t0
    queue.put(
        dict(
            config=name,
            sample_precision=sampler.sample_precision_,
            token_grid="x".join(map(str, sampler.token_shape_)),
            series_per_s=round(n_series / total_s, 1),
            prior_only_series_per_s=round(n_series / tokens_s, 1),
            threads=torch.get_num_threads(),
        )
    )


def _measure_prior_training(name: str, params: dict, n_series: int, epochs: int, queue) -> None:
    import numpy as np
    import torch

    from skncvq import MaskGITSampler

    X = _random_walks(n_series)
    y = np.resize([0, 1], n_series)
    tok = _quick_tokenizer(X)
    sampler = MaskGITSampler(tokenizer=tok, max_epochs=epochs, random_state=0, **params).fit(X, y)
    durs = [row["dur"] for row in sampler.history_[1:]]
    queue.put(
        dict(
            config=name,
            precision=sampler.precision_,
            positions=sampler.positions,
            hidden_dim=sampler.config_.hidden_dim,
            batch_size=sampler.batch_size_,
            token_grid="x".join(map(str, sampler.token_shape_)),
            train_series_per_s=round(n_series / float(np.median(durs)), 1),
            threads=torch.get_num_threads(),
        )
    )


def _run(target, name, params, args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(name, params, args.n_series, args.epochs, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"measuring {name!r} failed (exit code {proc.exitcode})")
    row = queue.get()
    print(row, flush=True)
    return row


def _peer(python: str | None, n_series: int) -> dict | None:
    """The TimeVQVAE package's series/s, measured by ``_timevqvae_speed.py`` under ``python``."""
    if not python:
        return None
    import subprocess
    import sys
    from pathlib import Path

    import torch

    script = Path(__file__).resolve().parent / "_timevqvae_speed.py"
    cmd = [python, str(script), str(n_series), str(torch.get_num_threads())]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    print("peer", row, file=sys.stderr, flush=True)
    return row


def _ratio(ours: float, peer: dict | None, key: str) -> float | str:
    return round(ours / peer[key], 1) if peer else NOT_MEASURED


def main() -> None:
    from _common import RESULTS, markdown_table
    from study import cpu_name, write_text_atomic

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-series", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--only", choices=["training", "prior", "sampling"], default=None)
    parser.add_argument("--name", default="speed", help="file stem of the results (default: speed)")
    parser.add_argument("--peer-python", default=None, help="an interpreter with timevqvae installed")
    args = parser.parse_args()
    path = RESULTS / f"{args.name}.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    rows, sampling = old.get("rows", []), old.get("sampling", [])
    prior = old.get("prior_training", [])
    peer = _peer(args.peer_python, args.n_series)  # in this run, or not at all
    if args.only in (None, "training"):
        rows = [_run(_measure, name, params, args) for name, params in CONFIGS.items()]
        ref = rows[0]["train_series_per_s"]
        for r in rows:
            r["speedup_vs_reference"] = round(r["train_series_per_s"] / ref, 2)
    if args.only in (None, "prior"):
        prior = [_run(_measure_prior_training, name, params, args) for name, params in PRIOR_TRAINING.items()]
    if args.only in (None, "sampling"):
        sampling = [_run(_measure_sampling, name, params, args) for name, params in SAMPLING.items()]
    # ratios to the peer only for the parts run now (a part not re-run keeps its run's ratio)
    if args.only in (None, "training"):
        for r in rows:
            r["vs_timevqvae"] = _ratio(r["train_series_per_s"], peer, "stage1")
    if args.only in (None, "prior"):
        for r in prior:
            r["vs_timevqvae"] = _ratio(r["train_series_per_s"], peer, "prior")
    if args.only in (None, "sampling"):
        for r in sampling:
            r["vs_timevqvae"] = _ratio(r["series_per_s"], peer, "sampling")
    meta = dict(
        length=LENGTH,
        batch=BATCH,
        n_series=args.n_series,
        epochs=args.epochs,
        machine=cpu_name(),
        peer=peer,
    )
    RESULTS.mkdir(exist_ok=True)
    write_text_atomic(
        path,
        json.dumps(dict(meta=meta, peer=peer, rows=rows, prior_training=prior, sampling=sampling), indent=2),
    )
    cols = [
        "config",
        "precision",
        "train_series_per_s",
        "speedup_vs_reference",
        "transform_series_per_s",
        "peak_rss_mb",
        "train_gflop_per_series",
        "achieved_gflops",
        "matmul_fp32_gflops",
        "flops_over_matmul",
        "vs_timevqvae",
    ]
    pcols = [
        "config",
        "precision",
        "positions",
        "hidden_dim",
        "batch_size",
        "token_grid",
        "train_series_per_s",
        "vs_timevqvae",
        "threads",
    ]
    scols = [
        "config",
        "sample_precision",
        "token_grid",
        "series_per_s",
        "prior_only_series_per_s",
        "vs_timevqvae",
        "threads",
    ]

    def table(section: list[dict], columns: list[str], only: str) -> str:
        # a part never measured under this name says so instead of an empty table
        return markdown_table(section, columns) if section else f"Not measured (run with `--only {only}`).\n"

    if peer and args.only:
        text = f"Peer measured with the `{args.only}` part; other parts keep their run's ratios.\n\n"
    else:
        text = ""
    if peer:
        text += (
            f"Peer: the TimeVQVAE package {peer['version']} (README configuration), measured in the same run: "
            f"stage-1 training {peer['stage1']:.1f} series/s, prior training {peer['prior']:.1f} series/s, "
            f"sampling {peer['sampling']:.1f} series/s ({peer['threads']} threads). `vs_timevqvae` is ours "
            "over the peer's.\n\n"
        )
    else:
        text += f"Peer: {NOT_MEASURED} in this run (run with `--peer-python`).\n\n"
    text += f"Machine: {meta['machine']}.\n\n## Stage-1 training\n\n" + table(rows, cols, "training")
    text += f"\n## Prior training ({args.n_series} series at length {LENGTH})\n\n" + table(
        prior, pcols, "prior"
    )
    text += f"\n## Sampling ({args.n_series} series at length {LENGTH})\n\n" + table(
        sampling, scols, "sampling"
    )
    write_text_atomic(path.with_suffix(".md"), text)
    print(text)


if __name__ == "__main__":
    main()
