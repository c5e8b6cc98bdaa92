"""Your digit as an embedding: the hidden layer as a vector, searched like a vector database."""

import streamlit as st

from nnviz.embed import embed, knn_vote
from nnviz.figures import embeddings as figs
from nnviz.figures.common import a_digit, n_of_k_are
from nnviz.figures.gallery import digit_image, digit_images, neighbour_alts
from nnviz.post import sentence
from nnviz.timing import median_seconds
from nnviz.tsne import PLACE_K
from nnviz.ui import (
    chart,
    column_at_least,
    current_selection,
    mnist,
    pickable_chart,
    quote,
    require_model,
    through_router,
)
from nnviz.ui.inside import NEIGHBOURS_K, analysis, how_familiar, kept_on_map, map_choice, pixel_index, tsne_map
from nnviz.ui.params import page_link

through_router()

quote(sentence("how vector databases store and search embeddings"))  # verbatim from the post
st.title("Your digit as an embedding")
model = require_model()
an, pixels = analysis(model), pixel_index()
images, labels = mnist("test")
n_test, dims = an.hidden.shape
sel = current_selection()
st.markdown(
    f"The {dims} hidden activations the network computes for a digit are a vector: an **embedding**. "
    f"Here are the {n_test:,} test digits' embeddings, and {sel.description} among them."
)
page_link("draw", "Draw another digit", icon=":material/draw:")

vector = embed(model, sel.input[None])[0]  # (H,) the reader's embedding
answer = int(model.predict(sel.input[None])[0])
exclude = sel.index if sel.source == "sample" else None  # a test digit is not its own neighbour
k = st.session_state.get("neighbours_k", 10)  # the slider sits with the galleries, below the map
silent = not vector.any()  # no neuron fired: a zero vector has no cosine similarity to anything
near = None if silent else an.index.query(vector, k, exclude=exclude)
near_px = pixels.query(sel.input, k, exclude=exclude)

tsne, no_tsne = tsne_map(model)
kind = map_choice(tsne is not None)
st.html(column_at_least("embeddings_side", 150))  # its 140 px digits fit beside the map, or go below it
map_col, side_col = st.columns([3, 1])
with map_col:
    nearest = None if silent else int(labels[near.indices[0]])
    placed_labels = None
    if kind == "tsne":
        if sel.source == "sample":  # a test digit: t-SNE placed it itself
            reader, star = tsne.coords[sel.index], "test digit"
        elif silent:  # no neighbours to place it among
            reader, star = None, "none"
        else:  # a new digit: among its nearest test digits
            closest = an.index.query(vector, PLACE_K)
            reader, star = tsne.place(closest.indices, closest.similarities), "placed"
            placed_labels = labels[closest.indices]
        coords, axes = tsne.coords, ("t-SNE 1", "t-SNE 2")
    else:
        reader, coords, axes = an.map.project(vector), an.map.coords, None
    fig = figs.embedding_map_figure(
        coords,
        labels,
        an.evaluation.predictions,
        an.evaluation.probabilities.max(axis=1),
        reader=reader,
        neighbours=None if silent else near.indices,
        explained=an.map.explained,
        axis_titles=axes,
    )
    event = pickable_chart(fig, key="embedding_map", selection_mode="points", mode_bar=True)
    kept_pca = kept_on_map(model, "pca")
    if kind == "tsne":
        summary = figs.tsne_summary(
            n_test,
            dims,
            kept_on_map(model, "tsne"),
            kept_pca,
            nearest,
            k=NEIGHBOURS_K,
            star=star,
            placed_among=PLACE_K,
            placed_labels=placed_labels,
            silent=silent,
            reader_name=sel.description,
        )
    else:
        summary = figs.map_summary(
            an.map.explained,
            n_test,
            dims,
            nearest,
            silent=silent,
            kept=kept_pca,
            k=NEIGHBOURS_K,
            reader_name=sel.description,
        )
    st.caption(summary)
    if tsne is None:
        st.caption(no_tsne)
with side_col, st.container(key="embeddings_side"):
    st.image(
        digit_image(sel.input, scale=5),
        width=140,
        caption=f"★ {sel.description}: the network says {answer}",
        alt=f"{sel.description.capitalize()}, 28 × 28 pixels",
        output_format="PNG",
    )
    clicked = figs.selected_index(event["selection"]["points"])
    if clicked is None:
        st.caption("Hover over a dot to name it; tap one to see the digit here.")
    else:
        said = int(an.evaluation.predictions[clicked])
        st.image(
            digit_image(images[clicked], scale=5),
            width=140,
            caption=f"Test digit #{clicked}: {a_digit(labels[clicked])}",
            alt=f"Test digit #{clicked}, {a_digit(labels[clicked])}, the dot tapped on the map",
            output_format="PNG",
        )
        st.markdown(f"The network says **{said}**.")
        page_link("draw", "Open it on the Draw page", sample=clicked)

st.header("Nearest neighbours: the query a vector database answers")
st.slider("Neighbours to fetch (k)", 3, 25, 10, key="neighbours_k", persist_state="session")
seconds = median_seconds(lambda: an.index.query(vector, k, exclude=exclude), repeats=25, budget=0.05)
emb_col, px_col = st.columns(2)
with emb_col:
    st.markdown(f"**By embedding** ({dims} numbers, cosine similarity)")
    if silent:
        st.info(figs.silent_embedding_note(dims), icon=":material/block:")
    else:
        st.image(
            digit_images(images, near.indices),
            caption=[f"{s:.3f} · {a_digit(labels[i])}" for i, s in zip(near.indices, near.similarities, strict=True)],
            alt=neighbour_alts(labels, near.indices, near.similarities, f"embedding ({dims} hidden activations)"),
            output_format="PNG",
        )
with px_col:
    st.markdown(f"**By raw pixels** ({pixels.shape[1]} numbers, cosine similarity)")
    st.image(
        digit_images(images, near_px.indices),
        caption=[f"{s:.3f} · {a_digit(labels[i])}" for i, s in zip(near_px.indices, near_px.similarities, strict=True)],
        alt=neighbour_alts(labels, near_px.indices, near_px.similarities, "raw pixels"),
        output_format="PNG",
    )
same_px = int((labels[near_px.indices] == answer).sum())
search = (
    f"One search over {n_test:,} × {dims} took {seconds * 1e3:.2f} ms on this server "
    "(one matrix-vector product, then the top k)."
)
if silent:
    st.caption(f"{n_of_k_are(same_px, k, 'pixel neighbours', answer)}, the network's answer. {search}")
else:
    same_emb = int((labels[near.indices] == answer).sum())
    st.caption(
        f"{same_emb} of {k} embedding neighbours and {same_px} of {k} pixel neighbours are {answer}s, the network's "
        f"answer. {search}"
    )
    st.caption(figs.familiarity_summary(how_familiar(model, vector, exclude=exclude)))

st.header("A second opinion: let the neighbours vote")
if silent:
    st.caption("No vote: a digit whose embedding is all zeros has no neighbours by embedding.")
else:
    vote = knn_vote(labels[near.indices], near.similarities)
    chart(figs.vote_figure(vote.counts, answer), key="vote")
    verdict = "agrees with" if vote.winner == answer else "disagrees with"
    st.caption(
        f"{n_of_k_are(int(vote.counts[vote.winner]), vote.k, 'nearest embeddings', vote.winner)}: the vote "
        f"{verdict} the network, which says {answer}."
    )
