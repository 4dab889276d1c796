"""Cross-entropy fused with the unembedding, in row chunks: the training loss without [N, vocab] logits.

The plain path writes the logits, casts them to fp32, takes a log-softmax, and on the way
back fills a [N, vocab] zero gradient, scatters into it and runs the log-softmax backward:
five passes over a tensor as large as everything else in a small model's step (d128,
vocab 4096, 4,096 tokens: 64 MB). Here each chunk of rows computes its logits, its loss
and its gradient (softmax - one-hot) while they are in cache, and the gradients of the
hidden states and the weight are kept for `backward`, which only scales them. The matmuls
run in the autocast dtype (bf16 on AMX); the log-sum-exp and the gradients' sums are fp32.
A bf16 d128/vocab-4096 loss+backward of 4,096 tokens took 305 ms the plain way and ~120-150 ms
here (one thread, busy machine; fp32 about even).
"""

from __future__ import annotations

import torch

CHUNK = 1024  # rows per chunk: [1024, vocab 4096] fp32 is 16 MB


class LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, dtype: torch.dtype | None):
        n = h.shape[0]
        w = weight if dtype is None else weight.to(dtype)          # [V, C], in the matmul dtype
        hc = h if dtype is None else h.to(dtype)                   # [N, C]
        acc = torch.promote_types(weight.dtype, torch.float32)    # fp32 (fp64 stays fp64)
        grad_h = torch.empty(h.shape, dtype=acc, device=h.device)
        grad_w = torch.zeros(weight.shape, dtype=acc, device=h.device)
        total = torch.zeros((), dtype=acc, device=h.device)
        for a in range(0, n, CHUNK):
            x, y = hc[a:a + CHUNK], targets[a:a + CHUNK]           # [n, C], [n]
            logits = (x @ w.t()).to(acc)                           # [n, V]
            picked = logits.gather(1, y[:, None])                  # [n, 1]
            top = logits.amax(dim=-1, keepdim=True)
            e = logits.sub_(top).exp_()                            # in place: exp(logit - max)
            z = e.sum(dim=-1, keepdim=True)                        # [n, 1]
            total += (top + z.log() - picked).sum()
            # d loss_sum / d logits = e / z - onehot(y); the 1/z goes on the thin [n, C] side
            # and the one-hot part is a row gather / scatter, so no other pass over [n, V]
            inv, e = z.reciprocal(), e.to(w.dtype)
            grad_h[a:a + CHUNK] = (e @ w).to(acc) * inv - w[y].to(acc)
            grad_w += e.t() @ (x.to(acc) * inv).to(w.dtype)
            grad_w.index_add_(0, y, x.to(acc), alpha=-1)
        ctx.save_for_backward(grad_h, grad_w)
        ctx.n, ctx.h_dtype, ctx.w_dtype = n, h.dtype, weight.dtype
        return total / n

    @staticmethod
    def backward(ctx, grad_out):
        grad_h, grad_w = ctx.saved_tensors
        scale = grad_out / ctx.n
        return (grad_h * scale).to(ctx.h_dtype), (grad_w * scale).to(ctx.w_dtype), None, None


def linear_cross_entropy(h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of `h @ weight.T` [N, V] against `targets` [N]; matmuls in the
    autocast dtype when autocast is on, else in `h`'s dtype."""
    dtype = None
    if torch.is_autocast_enabled(h.device.type):
        dtype = torch.get_autocast_dtype(h.device.type)
    h, targets = h.reshape(-1, h.shape[-1]), targets.reshape(-1)
    with torch.autocast(h.device.type, enabled=False):
        if torch.is_grad_enabled() and (h.requires_grad or weight.requires_grad):
            return LinearCrossEntropy.apply(h, weight, targets, dtype)
        return _loss_only(h, weight, targets, dtype)


def _loss_only(h, weight, targets, dtype):
    """The same loss without gradients (evaluation): chunked too, so no [N, vocab] logits either."""
    acc = torch.promote_types(weight.dtype, torch.float32)
    w = weight if dtype is None else weight.to(dtype)
    total = torch.zeros((), dtype=acc, device=h.device)
    for a in range(0, h.shape[0], CHUNK):
        x = h[a:a + CHUNK] if dtype is None else h[a:a + CHUNK].to(dtype)
        logits = (x @ w.t()).to(acc)
        total += (torch.logsumexp(logits, dim=-1) - logits.gather(1, targets[a:a + CHUNK, None]).squeeze(1)).sum()
    return total / h.shape[0]
