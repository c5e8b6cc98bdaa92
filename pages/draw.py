"""Draw a digit (or pick a test digit) and watch every step of the network read it."""

import streamlit as st

from nnviz import post, ui
from nnviz.figures import draw as figs
from nnviz.figures.common import a_digit, sentence_start
from nnviz.figures.embeddings import unfamiliar_note
from nnviz.ui.drawing import digit_input, sync_sample_from_url
from nnviz.ui.inside import how_familiar, lonely_accuracy
from nnviz.ui.network import network_paths
from nnviz.ui.params import page_link
from nnviz.ui.photo import photo_uploader

ui.through_router()

ui.quote(post.sentence("When you feed a 28×28 pixel image"))
st.title("Draw a digit")
model = ui.require_model()
sync_sample_from_url()
with st.expander("Upload a photo of a handwritten digit instead", icon=":material/photo_camera:"):
    photo_uploader()


@st.fragment
def live() -> None:
    left, right = st.columns(2, gap="large")
    with left:
        # on a phone the columns stack and the answer lands a screen below the canvas: a line under it says it there
        digit = digit_input(status_key="draw_phone_status")
        status = digit.status
    selection = digit.selection
    with right:
        if selection is None:
            if digit.prep is not None and not digit.prep.ok:  # a dot, an emptied canvas: say so by the canvas
                status.markdown("No digit yet: " + digit.prep.message.removeprefix("Draw a digit: "))
            else:  # never empty, so the first stroke fills it without pushing the page about
                status.markdown("Draw a digit above: what the network reads appears here.")
            st.info(digit.hint, icon=":material/draw:")
            return
        out = model.forward(selection.input[None])
        runs = 20
        seconds = post.time_one_digit(model, selection.input, repeats=runs)
        probabilities = out.probabilities[0]
        said = int(probabilities.argmax())
        earlier = selection.source == "drawing" and digit.prep is None
        reading = f"Reading **{selection.description}**" + (" (drawn earlier)" if earlier else "")
        if selection.source == "drawing" and not earlier:
            st.markdown(reading)
        else:  # the canvas is blank: show what the network is reading, here, not only far below
            ui.beside_the_digit(selection.input, reading, alt=f"{selection.description.capitalize()}, 28 × 28 pixels")
        with st.container(horizontal=True):
            st.metric("Prediction", said, width="content")
            st.metric(
                "Confidence",
                figs.format_probability(probabilities.max()),
                help=(
                    "The probability softmax gives the answer. It is not how often such answers are right: "
                    "softmax always shares out 100%, so even a scribble can get a high one."
                ),
                width="content",
            )
            st.metric(
                "Time for one digit",
                post.format_ms(seconds),
                help=f"Median of {runs} runs (fewer if this server is busy), on this server.",
                width="content",
            )
        ui.chart(figs.probabilities_figure(probabilities), key="draw_probabilities")
        st.caption(figs.probabilities_summary(probabilities))
        mistake = figs.mistake_text(selection.label, said)
        if mistake is not None:
            st.markdown(mistake)
            page_link(
                "errors",
                f"Every {selection.label} it reads as {a_digit(said)}",
                icon=":material/rule:",
                true=selection.label,
                said=said,
            )
        # a scribble gets an answer too (softmax has no "none of these"): say when the digit is unlike any
        own = selection.index if selection.source == "sample" else None  # a test digit is not its own neighbour
        familiar = how_familiar(model, out.hidden[0], exclude=own)
        note = unfamiliar_note(
            familiar,
            dims=out.hidden.shape[1],
            prediction=said,
            probability=probabilities[said],
            accuracy=lonely_accuracy(model),
        )
        confidence = figs.format_probability(probabilities.max())
        unlike = "; unlike the MNIST digits: see the note below" if note is not None else ""
        if selection.source == "drawing" and not earlier:
            status.markdown(
                f"The network reads it as **{said}** ({confidence} confidence{unlike}). Every step is below."
            )
        else:  # the canvas is blank: say what "it" is (two lines, to stay on the first screen)
            wrong = f", a mistake (it is {a_digit(selection.label)})" if mistake is not None else ""
            shown = selection.description + (" (drawn earlier)" if earlier else "")  # the canvas shows nothing
            # with a small picture of the digit being read: on a phone the one beside the prediction is a screen below
            status.markdown(
                figs.digit_thumbnail_html(selection.input)
                + f"{sentence_start(shown)}: read as **{said}** ({confidence}{unlike}){wrong}. Every step is below.",
                unsafe_allow_html=True,
            )
        if note is not None:
            st.warning(note, icon=":material/help:")
            page_link("embeddings", "See its nearest neighbours", icon=":material/scatter_plot:")

    st.header("1. Preprocessing, as MNIST did")
    if selection.prep is None:
        st.caption(f"Nothing to do: {selection.description} is already a centred 28×28 image.")
    else:
        source = "photo" if selection.source == "photo" else "canvas"
        ui.chart(figs.preprocessing_figure(selection.prep, source=source), key="draw_steps")
        st.caption(figs.preprocessing_summary(selection.prep, source=source))
    left, right = st.columns(2, gap="large")
    with left:
        st.header(f"2. The {selection.input.size} inputs")
        ui.chart(figs.input_figure(selection.input), key="draw_inputs")
        st.caption(figs.input_summary(selection.input))
    with right:
        st.header(f"3. The {out.hidden.shape[1]} hidden neurons")
        ui.chart(figs.hidden_figure(out.hidden[0]), key="draw_hidden")
        st.caption(figs.hidden_summary(out.hidden[0]))
        if out.hidden[0].max() > 0:  # from a neuron to what it looks for, as a click on a neuron would
            strongest = int(out.hidden[0].argmax())
            page_link(
                "weights",
                f"What neuron {strongest}, the strongest, looks for",
                icon=":material/grid_on:",
                neuron=strongest,
            )
    st.header("4. The strongest paths through the network")
    legend = network_paths(model, selection.input, out, said, key="draw_network")
    page_link("why", "Every term of the score: Why it said that", icon=":material/psychology:", into=legend)


live()
