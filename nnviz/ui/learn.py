"""The Learn page's other two sections: one step of backpropagation, and the loss surface.

Streamlit glue only: the maths is :mod:`nnviz.backprop` and :mod:`nnviz.landscape`,
the figures :mod:`nnviz.figures.learn`.  Each section is meant to run inside its own
``st.fragment`` so that a stroke or a click reruns only that section, not the
trainer above it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnviz import ui
from nnviz.backprop import backprop_step
from nnviz.figures import draw as draw_figures
from nnviz.figures import learn as figures
from nnviz.figures.common import a_digit
from nnviz.landscape import Landscape, landscape
from nnviz.mlp import MLP, as_input
from nnviz.ui import training
from nnviz.ui.drawing import apply_canvas

__all__ = ["backprop_section", "landscape_section"]

STEP_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
TOP_NEURONS = 4
SURE = 0.99  # above this probability for the chosen digit, say that a step will hardly show
LANDSCAPE_IMAGES = 2_000


def _which_network() -> str:
    return "the network you trained" if ui.trained_model() is not None else "the shipped network"


# --- one step of backpropagation ----------------------------------------------------


_CANVAS_GEN = "learn_canvas_gen"  # bumping it gives the canvas a new key: a blank canvas


def _clear_canvas() -> None:
    """A blank canvas; a drawing that was the current digit is forgotten (a test digit stays)."""
    st.session_state[_CANVAS_GEN] = st.session_state.get(_CANVAS_GEN, 0) + 1
    current = st.session_state.get("drawing")
    if current is not None and current.source == "drawing":
        ui.set_selection(None)


def backprop_section() -> None:
    """Draw (or reuse the current digit), say which digit it is, and watch one SGD step."""
    model = ui.require_model()
    left, right = st.columns([2, 3], gap="large")
    with left:
        image = ui.canvas(f"learn_canvas_{st.session_state.get(_CANVAS_GEN, 0)}")
        st.button("Clear", on_click=_clear_canvas, icon=":material/delete:", key="learn_clear")
        drawn_here = image is not None and apply_canvas(image, seen_key="learn_canvas_seen").ok
        selection = st.session_state.get("drawing")
        if selection is None:
            selection = _unsure_sample(model)
            using = f"Using {selection.description}, one the network is unsure of. Draw above to use your own."
        elif drawn_here:
            using = "Using your drawing."
        else:
            other = "another one" if selection.source == "drawing" else "your own digit"
            using = f"Using {selection.description}. Draw above to use {other}."
        if drawn_here:
            st.caption(using)
        else:  # the canvas is blank: show the digit the step is about, as the Draw page does
            ui.beside_the_digit(
                selection.input, using, write=st.caption, alt=f"{selection.description.capitalize()}, 28 × 28 pixels"
            )
    p = model.predict_proba(selection.input[None])[0]
    guess = int(p.argmax())
    with right:
        key = f"learn_label_{selection.source}_{selection.index}_{hash(selection.input.tobytes())}"
        default = selection.label if selection.label is not None else guess
        label = st.radio(
            f"{_which_network().capitalize()} reads it as {a_digit(guess)}. Which digit is it really?",
            list(range(10)),
            index=default,
            key=key,
            horizontal=True,  # wraps on a phone
        )
        label = default if label is None else int(label)
        if p[label] > SURE:
            st.info(
                f"{_which_network().capitalize()} already gives {label} {draw_figures.format_probability(p[label])}, so one step "
                "on it barely moves anything. To see backpropagation at work, tell it it is wrong: pick another "
                "digit above.",
                icon=":material/lightbulb:",
            )
        lr = st.select_slider(
            "Learning rate of this one step", STEP_RATES, value=0.01, key="learn_step_lr", persist_state="session"
        )
        step = backprop_step(model, selection.input, label, lr=lr, top=TOP_NEURONS)
        images, labels = ui.mnist("test")
        before_acc, after_acc = _accuracy(model, images, labels), step.model_after.accuracy(images, labels)
        m1, m2 = st.columns(2)
        loss_before, loss_after = figures.loss_pair(step.loss, step.loss_after)
        m1.metric(  # "inverse": the loss going down is good, so green
            "Loss −log p",
            loss_after,
            help="After the step, on this digit.",
            **_delta(
                step.loss_after != step.loss,
                f"{step.loss_after - step.loss:+.3g}",
                loss_before,
                "inverse",
                better=step.loss_after < step.loss,
            ),
        )
        m2.metric(
            "Test accuracy",
            f"{after_acc:.2%}",
            help=f"On all {len(labels):,} test digits, after this one step on this one digit.",
            **_delta(
                after_acc != before_acc,
                f"{(after_acc - before_acc) * 100:+.2f} points",
                f"{before_acc:.2%}",
                better=after_acc > before_acc,
            ),
        )
    c1, c2 = st.columns(2)
    with c1:
        ui.chart(figures.output_error_figure(step.output_error, label), key="learn_error")
        st.caption(figures.output_error_summary(step.output_error, label))
    with c2:
        fig = figures.before_after_figure(step.probabilities, step.probabilities_after, label, lr=lr)
        ui.chart(fig, key="learn_before_after")
        st.caption(
            figures.before_after_summary(
                step.probabilities, step.probabilities_after, label, step.loss, step.loss_after
            )
        )
        if step.loss_after == step.loss:
            st.caption(figures.unchanged_step_summary(step.changed, model.n_params, step.largest_update))
    st.markdown(
        "**Where the error goes.** Each hidden neuron *j* gets an error signal "
        "dz1[*j*] = Σₖ W2[*j*, k]·(pₖ − yₖ) if it fired, 0 if it did not. Its input is "
        "z1[*j*] = Σᵢ xᵢ·W1[*i*, *j*] + b1[*j*], so ∂z1[*j*]/∂W1[*i*, *j*] = xᵢ and the chain rule gives "
        "**∂L/∂W1[:, *j*] = x · dz1[*j*]**: the gradient of a neuron's 784 incoming weights is the input image, "
        "scaled by one number. Blank pixels (x = 0) get no gradient; the step "
        f"W1 ← W1 − {lr:g} · ∂L/∂W1 changes only the weights that saw ink: where a tile below is blue "
        "(negative) those weights grow, where it is red they shrink."
    )
    dz1 = step.dz1[step.neurons]
    ui.chart(figures.gradient_figure(step.x, step.dW1, dz1, step.neurons), key="learn_gradients")
    hidden = model.sizes[1]
    st.caption(figures.gradient_summary(dz1, step.neurons, step.identity_error, step.active, hidden))
    if len(step.neurons):
        j = int(step.neurons[0])
        st.caption(
            f"The update for neuron {j}: every weight moves by −{lr:g} × its gradient, at most "
            f"{float(np.abs(step.update[0]).max()):.2e}, against weights of up to {float(np.abs(step.weights[0]).max()):.2f}."
        )


def _delta(changed: bool, change: str, before: str, colour: str = "normal", *, better: bool) -> dict:
    """``st.metric``'s delta arguments: "<change> from <before>: better" (or "worse"), or "unchanged from <before>".

    An unchanged number gets a grey delta without an arrow: Streamlit reads the
    text's sign, and "+0.00%" would be a green arrow up.  Better or worse is said
    in words as well as in green or red, which not every reader can tell apart.
    """
    if not changed:
        return dict(delta=f"unchanged from {before}", delta_color="off", delta_arrow="off")
    return dict(delta=f"{change} from {before}: {'better' if better else 'worse'}", delta_color=colour)


def _unsure_sample(model: MLP, look_at: int = 2_000) -> ui.Selection:
    """The first test digit the network gives less than 90% to (its true label known): a step there shows."""
    images = ui.mnist("test")[0]
    p = model.predict_proba(as_input(images[:look_at]))  # (look_at, 10)
    unsure = np.flatnonzero(p.max(axis=1) < 0.9)
    return ui.sample_selection(int(unsure[0]) if len(unsure) else 0)


def _accuracy(model: MLP, images: np.ndarray, labels: np.ndarray) -> float:
    """Test accuracy of ``model``, remembered for the last network asked about in this session."""
    memo = st.session_state.get("learn_accuracy_memo")
    if memo is None or memo[0] is not model:  # identity, not id(): an id can be reused after a network is freed
        memo = (model, model.accuracy(images, labels))
        st.session_state["learn_accuracy_memo"] = memo
    return memo[1]


# --- the loss surface ---------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _batch(n: int = LANDSCAPE_IMAGES) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random batch of training images for every loss surface (seed 0)."""
    images, labels = ui.mnist("train")
    idx = np.sort(np.random.default_rng(0).choice(len(labels), n, replace=False))
    return as_input(images[idx]), labels[idx]


@st.cache_resource(show_spinner=False, max_entries=2)
def _shipped_landscape(seed: int) -> Landscape:
    """The shipped network's slice is the same for every reader: computed once per server."""
    x, y = _batch()
    with training.cpu():
        return landscape(ui.shipped_model(), x, y, kind="random", seed=seed)


def _landscape(model: MLP, path: np.ndarray | None, kind: str, key: tuple) -> Landscape:
    """This session's slice, remembered until the network (by identity), the run's step or the directions change."""
    memo = st.session_state.get("learn_landscape")
    if memo is not None and memo[0] is model and memo[1] == key:
        return memo[2]
    x, y = _batch()
    with training.cpu():
        result = landscape(model, x, y, kind=kind, path=path, seed=0)
    st.session_state["learn_landscape"] = (model, key, result)
    return result


def landscape_section() -> None:
    """A 2-D slice of the loss surface around the current parameters, with the path training took."""
    run = training.current_run()
    if run is not None and run.running:
        st.info("The loss surface appears when training stops.", icon=":material/landscape:")
        return
    options = {"path": "Main directions of your training", "random": "Random directions"}
    if run is None:
        options.pop("path")
        st.caption("Train a network above and the path it took appears here, with its own two directions.")
    elif len(run.snapshots) < 2:  # stopped before its first report: one point is not a path
        options.pop("path")
        st.caption("Your run stopped before its first report, so it has no path yet: resume it to draw one.")
    kind = st.segmented_control(
        "Directions",
        list(options),
        format_func=options.get,
        default=next(iter(options)),
        # one choice per run, kept across pages: a new run opens on its own path
        key="learn_directions" if "path" not in options else f"learn_directions_{run.id}",
        persist_state="session",
    )
    kind = kind or next(iter(options))
    with st.spinner(f"Mapping the loss on {LANDSCAPE_IMAGES:,} training images…"):
        if run is not None:
            ls = _landscape(run.model, run.path() if "path" in options else None, kind, (run.id, run.step, kind))
            whose = "the network you just trained"
        elif (model := ui.trained_model()) is not None:
            ls = _landscape(model, None, kind, ("user", kind))
            whose = "the network you trained"
        else:
            ls = _shipped_landscape(0)
            whose = "the shipped network"
    ui.chart(figures.landscape_figure(ls), key="learn_landscape_chart")
    st.caption(f"Around {whose}. " + figures.landscape_summary(ls))
