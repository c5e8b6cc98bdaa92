"""A 2-D slice of the loss surface around a network's weights, and the path training took.

The network has ~100,000 parameters, so its loss is a surface over a
100,000-dimensional space.  We look at one flat slice of it through the current
weights theta:

    L(a, b) = loss(theta + a * d1 + b * d2)        on a fixed batch of training images

for two directions d1, d2 (Li, Xu, Taylor, Studer & Goldstein, "Visualizing the Loss
Landscape of Neural Nets", NeurIPS 2018):

* ``"random"``: Gaussian directions, *filter-normalised*: each neuron's slice of the
  direction (its incoming weights) is rescaled to the norm of that neuron's weights,
  so a step of 1 along d means "as big as the weights themselves" for every neuron
  alike.  Bias entries are set to zero, as in the paper.
* ``"path"``: the top two principal components of the training path (the recorded
  parameter snapshots minus the final weights).  Random directions are almost
  orthogonal to any path in so many dimensions, so only these show where training
  went.

Parameters are flattened in the order W1, b1, W2, b2 (:func:`parameter_vector`).

The grid is cheap because the first layer is linear in its weights:
``x @ (W1 + a D1 + b D2) = x@W1 + a x@D1 + b x@D2``.  Three matrix products of the
batch are made once; each grid point then costs only additions, a ReLU and the
small 128 x 10 second layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mlp import MLP, PARAMS, log_losses, relu, split_parameters

__all__ = [
    "Landscape",
    "filter_normalised_directions",
    "landscape",
    "loss_surface",
    "parameter_vector",
    "path_directions",
    "project",
    "split_vector",
]

DTYPE = np.float32


@dataclass(repr=False)
class Landscape:
    """A loss surface on a grid, with the training path projected onto its plane.

    Attributes
    ----------
    alphas : (na,)       grid coordinates along d1 (x axis)
    betas : (nb,)        grid coordinates along d2 (y axis)
    loss : (nb, na)      loss at theta + alphas[i] d1 + betas[j] d2, indexed [j, i]
    centre_loss : float  the loss at the current parameters (the origin)
    kind : str           "random" or "path"
    path : (m, 2) or None      the snapshots projected onto the plane (last = origin for "path")
    path_loss : (m,) or None   the true loss of each snapshot on the same batch
    explained : (2,) or None   share of the path's variance along d1, d2 ("path" only)
    n_images : int       size of the batch the loss is measured on
    """

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    centre_loss: float
    kind: str
    path: np.ndarray | None = None
    path_loss: np.ndarray | None = None
    explained: np.ndarray | None = None
    n_images: int = 0

    def __repr__(self) -> str:
        return (
            f"Landscape({self.kind}, grid {len(self.alphas)}x{len(self.betas)}, centre loss {self.centre_loss:.4f}, "
            f"min {self.loss.min():.4f}, max {self.loss.max():.4f})"
        )


# --- parameters as one vector ------------------------------------------------------


def parameter_vector(model: MLP) -> np.ndarray:
    """All parameters as one float32 vector (P,), in the order W1, b1, W2, b2 (a copy of ``model.flat``)."""
    return model.flat.copy()


def split_vector(vector: np.ndarray, model: MLP) -> dict[str, np.ndarray]:
    """Cut a (P,) vector into arrays shaped like ``model``'s W1, b1, W2, b2."""
    return split_parameters(vector, {name: getattr(model, name).shape for name in PARAMS})


# --- directions --------------------------------------------------------------------


def filter_normalised_directions(model: MLP, rng: np.random.Generator | int = 0, n: int = 2) -> np.ndarray:
    """``n`` random directions (n, P), each filter-normalised to ``model``'s weights.

    For a fully connected layer a "filter" is one neuron's incoming weights, a
    column of W1 or W2: each column of the direction is rescaled to the norm of
    the same column of the weights (Li et al. 2018, section 4).  Biases get 0.
    """
    rng = np.random.default_rng(rng)
    out = np.empty((n, model.n_params), DTYPE)
    for k in range(n):
        parts = {}
        for name in PARAMS:
            w = getattr(model, name)
            if w.ndim == 1:
                parts[name] = np.zeros_like(w)
                continue
            d = rng.standard_normal(w.shape).astype(DTYPE)  # (inputs, neurons)
            d *= np.linalg.norm(w, axis=0) / (np.linalg.norm(d, axis=0) + 1e-10)  # column by column
            parts[name] = d
        out[k] = np.concatenate([parts[name].ravel() for name in PARAMS])
    return out


def path_directions(path: np.ndarray, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The top two principal directions of a training path, relative to the final weights.

    Parameters
    ----------
    path : ndarray of shape (m, P)
        Parameter snapshots along training, m >= 2.
    final : ndarray of shape (P,)
        The weights the slice is centred on.

    Returns
    -------
    directions : ndarray of shape (2, P), orthonormal
    explained : ndarray of shape (2,)
        The share of the path's variance each direction captures.
    """
    path = np.asarray(path, DTYPE)
    if path.ndim != 2 or len(path) < 2:
        raise ValueError("the path needs at least two snapshots of shape (P,)")
    moves = path - final[None, :]  # (m, P)
    centred = moves - moves.mean(axis=0, keepdims=True)
    # (m, P) with m small: the SVD of the thin matrix is cheap, and its right
    # singular vectors are the principal directions.
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    var = s**2
    total = var.sum()
    explained = var[:2] / total if total > 0 else np.zeros(2)
    # m >= 2 rows give at least two right singular vectors; a path of two points varies along
    # one only, and the second is then an orthonormal direction of zero variance (explained 0).
    directions = vt[:2].astype(DTYPE)
    # Sign convention: training moves in +d1 (the start lies at negative d1).
    if moves[0] @ directions[0] > 0:
        directions[0] *= -1
    return directions, np.asarray(explained, float)


def project(path: np.ndarray, final: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Coordinates (m, 2) of each snapshot's offset from ``final`` in the plane of ``directions``.

    Least squares, so directions need not be orthogonal (random ones are only
    nearly so).  The final weights themselves project onto the origin.
    """
    moves = np.asarray(path, np.float64) - np.asarray(final, np.float64)[None, :]  # (m, P)
    coords, *_ = np.linalg.lstsq(np.asarray(directions, np.float64).T, moves.T, rcond=None)
    return coords.T  # (m, 2)


# --- the surface -------------------------------------------------------------------


def loss_surface(
    model: MLP, x: np.ndarray, labels: np.ndarray, directions: np.ndarray, alphas: np.ndarray, betas: np.ndarray
) -> np.ndarray:
    """Mean cross-entropy at ``theta + a d1 + b d2`` for every (a, b) on a grid.

    Parameters
    ----------
    model : MLP
        The centre theta (not modified).
    x : ndarray of shape (n, 784), float32
    labels : ndarray of shape (n,)
    directions : ndarray of shape (2, P)
    alphas, betas : 1-D arrays
        Grid coordinates along d1 and d2.

    Returns
    -------
    ndarray of shape (len(betas), len(alphas))
        Indexed [j, i] for (alphas[i], betas[j]), as contour plots expect.
    """
    x = np.asarray(x, DTYPE)
    labels = np.asarray(labels)
    d1, d2 = (split_vector(d, model) for d in directions)
    # First layer, linear in its weights: three products of the batch, made once.
    base = x @ model.W1 + model.b1  # (n, H)
    along1 = x @ d1["W1"] + d1["b1"]  # (n, H)
    along2 = x @ d2["W1"] + d2["b1"]  # (n, H)
    out = np.empty((len(betas), len(alphas)))
    betas32 = np.asarray(betas, DTYPE)
    labels_all = np.tile(labels, len(betas32))  # the labels of every beta's rows, stacked as the logits are
    for i, a in enumerate(np.asarray(alphas, DTYPE)):
        z_a = base + a * along1  # (n, H)
        W2_a = model.W2 + a * d1["W2"]  # (H, 10)
        b2_a = model.b2 + a * d1["b2"]
        # all betas at once: (nb, n, H) -- about 1 MB per beta for 2,000 images
        hidden = relu(z_a[None] + betas32[:, None, None] * along2[None])
        W2 = W2_a[None] + betas32[:, None, None] * d2["W2"][None]  # (nb, H, 10)
        b2 = b2_a[None] + betas32[:, None] * d2["b2"][None]  # (nb, 10)
        logits = hidden @ W2 + b2[:, None, :]  # (nb, n, 10)
        # the exact loss, as MLP.loss: far from the trained weights many digits are confidently
        # wrong, and a clipped -log p (16.1 at most per digit) would flatten the surface there
        per_image = log_losses(logits.reshape(-1, logits.shape[-1]), labels_all)
        out[:, i] = per_image.reshape(len(betas32), -1).mean(axis=1, dtype=np.float64)
        del hidden, logits, per_image
    return out


def _grid(path_xy: np.ndarray | None, resolution: int, span: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Grid coordinates: ``[-span, span]`` each way, or enough to hold the path with a margin."""
    if span is not None or path_xy is None:
        s = 1.0 if span is None else float(span)
        line = np.linspace(-s, s, resolution)
        return line, line.copy()
    axes = []
    for k in range(2):
        lo, hi = min(0.0, path_xy[:, k].min()), max(0.0, path_xy[:, k].max())
        width = max(hi - lo, 1e-3)
        axes.append(np.linspace(lo - 0.25 * width, hi + 0.25 * width, resolution))
    return axes[0], axes[1]


def landscape(
    model: MLP,
    x: np.ndarray,
    labels: np.ndarray,
    *,
    kind: str = "random",
    path: np.ndarray | None = None,
    seed: int = 0,
    resolution: int = 21,
    span: float | None = None,
) -> Landscape:
    """The loss surface around ``model`` on the batch ``(x, labels)``, with ``path`` projected.

    Parameters
    ----------
    model : MLP
        The centre of the slice (not modified).
    x : ndarray of shape (n, 784)
    labels : ndarray of shape (n,)
    kind : {"random", "path"}
        Filter-normalised random directions, or the path's two principal directions.
    path : ndarray of shape (m, P), optional
        Parameter snapshots along training (see :func:`parameter_vector`); required
        for ``kind="path"``, drawn on the plane in both cases.
    seed : int
        Seed of the random directions.
    resolution : int
        Grid points per axis.
    span : float, optional
        Half-width of the grid; default 1 for random directions, the path's extent
        with a margin for path directions.

    Returns
    -------
    Landscape
    """
    if kind not in ("random", "path"):
        raise ValueError(f"kind must be 'random' or 'path', not {kind!r}")
    theta = parameter_vector(model)
    explained = None
    if kind == "path":
        if path is None:
            raise ValueError("kind='path' needs the training path")
        directions, explained = path_directions(path, theta)
    else:
        directions = filter_normalised_directions(model, seed)
    path_xy = project(path, theta, directions) if path is not None else None
    alphas, betas = _grid(path_xy if kind == "path" else None, resolution, span)
    surface = loss_surface(model, x, labels, directions, alphas, betas)
    path_loss = None
    if path is not None:
        path_loss = np.array([_loss_at(model, p, x, labels) for p in np.asarray(path, DTYPE)])
    return Landscape(
        alphas=alphas,
        betas=betas,
        loss=surface,
        centre_loss=model.loss(x, labels),
        kind=kind,
        path=path_xy,
        path_loss=path_loss,
        explained=explained,
        n_images=len(labels),
    )


def _loss_at(model: MLP, vector: np.ndarray, x: np.ndarray, labels: np.ndarray) -> float:
    """The loss of the network whose parameters are ``vector`` (shaped like ``model``)."""
    parts = split_vector(vector, model)
    return MLP(**parts).loss(x, labels)
