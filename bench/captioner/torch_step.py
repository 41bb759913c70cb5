"""Per-step training time of the neurotopics captioner in PyTorch (CPU).

The same architecture, sizes and loss as pkg/captioner (model.go), with its
default hyperparameters: per-frame projection D→E + ReLU u, v̄ = [mean_t u_t;
motion stream] (--encoder mean, the default), or a GRU encoder (E) and
v̄ = [mean_t h_t; motion stream] (--encoder gru), or (with --encoder tconv, two kernel-3
temporal convolutions, dilations 1 and 2, with v̄ = [means of u over the clip's
thirds; mean_t h2; motion stream]); the motion stream is ReLU(W d + b) of the
differences d between the mean features of the clip's thirds,
semantic layer a = ReLU(W v̄ + b) with dropout, topic head, LSTM decoder whose
word input is a row of a [V, 4H] table and whose initial state and per-step gate
input come from a, caption NLL summed over words + λ·‖ŝ − s‖², Adam. Batches
have captions of similar length and run ⌈(longest+1)/4⌉·4 decoder steps, as in
pkg/captioner; here every batch has the same steps (--steps-per-batch).

Run it through bench/captioner/run.sh, which measures the Go step in the same
run and chooses PyTorch's thread and BLAS settings. Prints one JSON line:
{"framework": "pytorch", "median_ms": …, …} with the thread settings, the
environment variables that set threads, the BLAS library the process loaded and
the number of trainable parameters (run.sh checks it against the Go model's).
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Captioner(nn.Module):
    def __init__(self, D, E, N, K, V, H, dropout, encoder):
        super().__init__()
        self.encoder = encoder
        self.frame_proj = nn.Linear(D, E)
        self.motion = nn.Linear(3 * D, E)
        if encoder == "mean":
            self.semantic = nn.Linear(2 * E, N)
        elif encoder == "gru":
            self.gru = nn.GRU(E, E, batch_first=True)
            self.semantic = nn.Linear(2 * E, N)
        elif encoder == "tconv":
            self.tconv1 = nn.Linear(3 * E, E)
            self.tconv2 = nn.Linear(3 * E, E)
            self.semantic = nn.Linear(5 * E, N)
        else:
            raise ValueError(f"--encoder {encoder!r}: expected mean, gru or tconv")
        self.topics = nn.Linear(N, K)
        self.word_gates = nn.Embedding(V, 4 * H)
        self.whh = nn.Linear(H, 4 * H, bias=False)
        self.from_sem = nn.Linear(N, 6 * H)
        self.out = nn.Linear(H, V)
        self.drop = nn.Dropout(dropout)
        self.H = H

    @staticmethod
    def tconv(layer, u, d):
        T = u.shape[1] - 2 * d
        x = torch.cat([u[:, :T], u[:, d:d + T], u[:, 2 * d:2 * d + T]], dim=-1)
        return F.relu(layer(x))

    def forward(self, feats, tokens, targets, lam):
        u = F.relu(self.frame_proj(feats))              # [B,T,E]
        if self.encoder == "mean":
            vbar = u.mean(1)
        elif self.encoder == "gru":
            vbar = self.gru(u)[0].mean(1)
        else:
            T = u.shape[1]
            h2 = self.tconv(self.tconv2, self.tconv(self.tconv1, u, 1), 2)
            segs = [u[:, k * T // 3:(k + 1) * T // 3].mean(1) for k in range(3)]
            vbar = torch.cat(segs + [h2.mean(1)], dim=-1)
        T = feats.shape[1]
        first, middle, last = (feats[:, k * T // 3:(k + 1) * T // 3].mean(1) for k in range(3))
        motion = F.relu(self.motion(torch.cat([last - first, middle - first, last - middle], dim=-1)))
        vbar = torch.cat([vbar, motion], dim=-1)
        a = self.drop(F.relu(self.semantic(vbar)))       # [B,N]
        shat = self.topics(a)
        H = self.H
        z = self.from_sem(a)
        h, c, ga = torch.tanh(z[:, :H]), z[:, H:2 * H], z[:, 2 * H:]
        inp, out = tokens[:, :-1], tokens[:, 1:]
        gx = self.word_gates(inp) + ga[:, None, :]      # [B,L,4H]
        hs = []
        for t in range(inp.shape[1]):
            gates = gx[:, t] + self.whh(h)
            ifo = torch.sigmoid(gates[:, :3 * H])
            g = torch.tanh(gates[:, 3 * H:])
            i, f, o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
            c = f * c + i * g
            h = o * torch.tanh(c)
            hs.append(h)
        hs = self.drop(torch.stack(hs, 1))
        logits = self.out(hs)                            # [B,L,V]
        mask = (out != 0).float()
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), out.reshape(-1), reduction="none")
        nll = (nll.view(out.shape) * mask).sum(1).mean()
        interp = ((shat - targets) ** 2).sum(1).mean()
        return nll + lam * interp


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--frames", type=int, default=12)
    p.add_argument("--feat-dim", type=int, default=384)
    p.add_argument("--encoder", default="mean", help="mean (the Go model's default), gru or tconv")
    p.add_argument("--encoder-dim", type=int, default=128)
    p.add_argument("--semantic-units", type=int, default=128)
    p.add_argument("--targets", type=int, default=30)
    p.add_argument("--vocab", type=int, default=320)
    p.add_argument("--decoder-dim", type=int, default=128)
    p.add_argument("--max-words", type=int, default=20)
    p.add_argument("--dropout", type=float, default=0.0,
                   help="dropout rate (the Go model's default: 0)")
    p.add_argument("--steps-per-batch", type=int, default=12,
                   help="decoder steps of every batch (Go's median batch of the synthetic corpus runs 12)")
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    B, T, L = args.batch, args.frames, args.steps_per_batch
    m = Captioner(args.feat_dim, args.encoder_dim, args.semantic_units, args.targets, args.vocab,
                  args.decoder_dim, args.dropout, args.encoder)
    opt = torch.optim.Adam(m.parameters(), lr=4e-3)
    feats = torch.randn(B, T, args.feat_dim)
    tokens = torch.randint(4, args.vocab, (B, L + 1))
    tokens[:, 0] = 1
    lengths = torch.randint(max(1, L - 4), L - 1, (B,))  # 8–10 words for L = 12, as gostep
    for b in range(B):  # EOS then padding
        tokens[b, lengths[b] + 1] = 2
        tokens[b, lengths[b] + 2:] = 0
    targets = (torch.rand(B, args.targets) < 0.2).float()
    times, cpu = [], []
    for step in range(args.warmup + args.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = m(feats, tokens, targets, 0.1)
        loss.backward()
        opt.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    print(json.dumps({
        "framework": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "median_ms": 1000 * statistics.median(times), "mean_ms": 1000 * statistics.mean(times),
        # CPU time of the process (all threads) a step: about threads × median_ms when threads spin.
        "median_cpu_ms": 1000 * statistics.median(cpu),
        "steps": args.steps, "loss": float(loss),
        "trainable_params": sum(p.numel() for p in m.parameters() if p.requires_grad),
        "model": {"batch": B, "frames": T, "feat_dim": args.feat_dim, "encoder": args.encoder,
                  "encoder_dim": args.encoder_dim, "semantic_units": args.semantic_units, "targets": args.targets,
                  "vocab": args.vocab, "decoder_dim": args.decoder_dim, "dropout": args.dropout,
                  "steps_per_batch": L},
        "env": {k: os.environ[k] for k in THREAD_ENV if k in os.environ},
        "blas": loaded_blas(),
    }))


# Environment variables that set the threads of PyTorch, OpenMP and the BLAS.
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT",
              "OMP_PROC_BIND", "OMP_PLACES", "LD_LIBRARY_PATH", "LD_PRELOAD")


def loaded_blas():
    """The BLAS/LAPACK shared libraries mapped into this process (Linux)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return []
    keys = ("blas", "blis", "atlas", "mkl", "lapack")
    return sorted(p for p in paths if any(k in os.path.basename(p).lower() for k in keys))


if __name__ == "__main__":
    main()
