"""Class-conditional MaskGIT prior over token grids: bidirectional transformer, masked-token
training objective and iterative decoding with classifier-free guidance."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MaskGITConfig", "MaskGIT", "cosine_schedule"]


def cosine_schedule(ratio: torch.Tensor | float) -> torch.Tensor | float:
    """Fraction of tokens masked at progress ``ratio`` in [0, 1]: ``cos(pi / 2 * ratio)``."""
    if isinstance(ratio, torch.Tensor):
        return torch.cos(ratio * math.pi / 2)
    return math.cos(ratio * math.pi / 2)


@dataclass(frozen=True)
class MaskGITConfig:
    """Sizes of the prior.

    Parameters
    ----------
    n_tokens : int
        Tokens per series ``N`` (frequency bins x latent width).
    codebook_size : int
        Token vocabulary ``K``; id ``K`` is the mask token.
    n_classes : int
        Classes; the class table has one more row, "no class", used for unconditional sampling
        and classifier-free guidance.
    hidden_dim, n_layers, n_heads : int
        Transformer width, depth and heads (reference 256, 4, 2).
    ff_mult : int
        Feed-forward width as a multiple of ``hidden_dim`` (reference 1).
    dropout : float
        Dropout in the transformer layers.
    class_conditioning : {"token", "all"}
        How the class enters: "token" is the reference's class token in front of the grid,
        which every position has to reach through attention; "all" also adds the class
        embedding to every position's input, so each position sees the class from the first
        layer on.
    column_height : int
        Tokens per transformer position: 1 is the reference, one position per token; ``F``,
        the token grid's number of frequency rows, puts one latent time step's column of ``F``
        tokens in each position (input: the sum of one embedding per row; output: the ``F``
        tokens' logits), so the transformer runs over ``W`` positions instead of ``F * W``.
    """

    n_tokens: int
    codebook_size: int
    n_classes: int = 0
    hidden_dim: int = 256
    n_layers: int = 4
    n_heads: int = 2
    ff_mult: int = 1
    dropout: float = 0.0
    class_conditioning: str = "token"
    column_height: int = 1

    def __post_init__(self) -> None:
        if self.column_height < 1 or self.n_tokens % self.column_height:
            raise ValueError(
                f"column_height must be a positive divisor of n_tokens ({self.n_tokens}); "
                f"got {self.column_height!r}."
            )
        if self.class_conditioning not in ("token", "all"):
            raise ValueError(f"class_conditioning must be 'token' or 'all'; got {self.class_conditioning!r}.")


class MaskGIT(nn.Module):
    """Bidirectional transformer over ``[class] + tokens`` predicting the ids of masked tokens.

    Examples
    --------
    >>> import torch
    >>> from skncvq.nn import MaskGIT, MaskGITConfig
    >>> prior = MaskGIT(MaskGITConfig(n_tokens=40, codebook_size=32, n_classes=3, hidden_dim=32))
    >>> g = torch.Generator().manual_seed(0)
    >>> prior.generate(torch.tensor([0, 2]), n_steps=4, generator=g).shape
    torch.Size([2, 40])
    """

    def __init__(self, config: MaskGITConfig) -> None:
        super().__init__()
        self.config = config
        d = config.hidden_dim
        self.mask_id = config.codebook_size
        self.null_class = config.n_classes
        rows = config.column_height
        self.n_positions = config.n_tokens // rows
        # one embedding table per row of a column; row r's ids are offset by r * (K + 1)
        self.token_emb = nn.Embedding(rows * (config.codebook_size + 1), d)
        self.register_buffer(
            "row_offset",
            torch.arange(rows).repeat_interleave(self.n_positions) * (config.codebook_size + 1),
            persistent=False,
        )
        self.class_emb = nn.Embedding(config.n_classes + 1, d)
        self.pos_emb = nn.Parameter(torch.randn(1, self.n_positions + 1, d) * 0.02)
        layer = nn.TransformerEncoderLayer(
            d,
            config.n_heads,
            dim_feedforward=d * config.ff_mult,
            dropout=config.dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.blocks = nn.TransformerEncoder(layer, config.n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, rows * config.codebook_size)

    def forward(self, ids: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        """(B, N) token ids (mask id allowed), (B,) class ids -> (B, N, K) logits."""
        b, rows, k = ids.shape[0], self.config.column_height, self.config.codebook_size
        cls = self.class_emb(classes)[:, None]  # (B, 1, d)
        # (B, N) -> (B, rows, P, d) -> sum over the rows of each column -> (B, P, d)
        tokens = self.token_emb(ids + self.row_offset).view(b, rows, self.n_positions, -1).sum(1)
        if self.config.class_conditioning == "all":
            tokens = tokens + cls
        h = torch.cat((cls, tokens), dim=1)  # (B, 1+P, d)
        h = self.blocks(h + self.pos_emb)
        out = self.head(self.norm(h[:, 1:]))  # drop the class position -> (B, P, rows * K)
        # (B, P, rows, K) -> (B, rows, P, K) -> (B, N, K) in the ids' frequency-major order
        return out.view(b, self.n_positions, rows, k).transpose(1, 2).reshape(b, -1, k)

    def mask_tokens(self, ids: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Mask ``ceil(cos(pi t / 2) N)`` random positions per sequence, ``t ~ U(0, 1)``.

        Returns the masked ids and the boolean mask ``(B, N)``.
        """
        b, n = ids.shape
        dev = generator.device
        t = torch.rand(b, generator=generator, device=dev).to(ids.device)
        n_mask = (cosine_schedule(t) * n).ceil().clamp(1, n).long()  # (B,)
        noise = torch.rand(b, n, generator=generator, device=dev).to(ids.device)
        rank = noise.argsort(1).argsort(1)  # random rank of every position
        mask = rank < n_mask[:, None]
        return ids.masked_fill(mask, self.mask_id), mask

    def loss(
        self,
        ids: torch.Tensor,
        classes: torch.Tensor,
        generator: torch.Generator,
        p_unconditional: float = 0.2,
    ) -> torch.Tensor:
        """Cross-entropy on masked positions, with class dropout to the "no class" row."""
        drop = torch.rand(classes.shape, generator=generator, device=generator.device).to(classes.device)
        classes = classes.masked_fill(drop < p_unconditional, self.null_class)
        masked, mask = self.mask_tokens(ids, generator)
        logits = self(masked, classes)
        return F.cross_entropy(logits[mask].float(), ids[mask])

    def _logits(self, ids: torch.Tensor, classes: torch.Tensor, guidance_scale: float) -> torch.Tensor:
        conditional = classes != self.null_class
        if guidance_scale == 1.0 or not bool(conditional.any()):
            return self(ids, classes).float()
        both = self(
            torch.cat((ids, ids)), torch.cat((classes, torch.full_like(classes, self.null_class)))
        ).float()
        cond, null = both.chunk(2)
        guided = null + guidance_scale * (cond - null)
        return torch.where(conditional[:, None, None], guided, cond)

    @torch.no_grad()
    def generate(
        self,
        classes: torch.Tensor,
        *,
        n_steps: int = 10,
        guidance_scale: float = 1.0,
        temperature: float = 1.0,
        choice_temperature: float = 4.0,
        generator: torch.Generator,
        init: torch.Tensor | None = None,
        allowed: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Iterative decoding from an all-masked grid, or from ``init``; ``classes`` (B,) may hold
        the "no class" id.

        At step ``s`` every still-masked position gets a sampled id; the ``floor(M cos(pi/2 (s+1)/T))``
        least confident new ones (log-probability plus Gumbel noise annealed by
        ``choice_temperature * (1 - (s+1)/T)``) are masked again; the last step keeps all. ``M`` is
        the number of masked positions at the start: ``N`` from an all-masked grid, or the
        ``mask_id`` entries of ``init`` (B, N), the same count in every row, whose other entries
        are kept. ``allowed`` (K,) bool, if given, restricts the sampled ids to its True codes.
        """
        b, n = classes.shape[0], self.config.n_tokens
        dev = generator.device
        if init is None:
            ids = torch.full((b, n), self.mask_id, dtype=torch.long, device=classes.device)
            n_start = n
        else:
            ids = init.to(device=classes.device, dtype=torch.long).clone()
            per_row = (ids == self.mask_id).sum(1)
            if ids.shape != (b, n) or bool((per_row != per_row[0]).any()):
                raise ValueError(f"init must be ({b}, {n}) with the same number of masked ids in every row.")
            n_start = int(per_row[0])
        for step in range(n_steps):
            unknown = ids == self.mask_id
            logits = self._logits(ids, classes, guidance_scale) / max(temperature, 1e-6)
            if allowed is not None:
                logits = logits.masked_fill(~allowed, float("-inf"))
            probs = logits.softmax(-1)  # (B, N, K)
            sampled = torch.multinomial(probs.view(-1, probs.shape[-1]), 1, generator=generator).view(b, n)
            sampled = torch.where(unknown, sampled, ids)
            ratio = (step + 1) / n_steps
            n_masked = math.floor(n_start * cosine_schedule(ratio))
            if n_masked == 0:
                ids = sampled
                break
            conf = torch.log(probs.gather(-1, sampled[..., None])[..., 0] + 1e-5)
            u = torch.rand(b, n, generator=generator, device=dev).to(conf.device).clamp(1e-20, 1.0)
            gumbel = -torch.log(-torch.log(u))
            conf = conf + choice_temperature * (1 - ratio) * gumbel
            conf = conf.masked_fill(~unknown, float("inf"))
            threshold = conf.sort(1).values[:, n_masked - 1 : n_masked]  # (B, 1)
            remask = conf <= threshold
            ids = sampled.masked_fill(remask & unknown, self.mask_id)
        return ids
