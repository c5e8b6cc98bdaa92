# nnviz, self-hosted: the same app Streamlit Community Cloud runs, in one container.
#
#   docker build -t nnviz .
#   docker run --rm -p 8501:8501 nnviz          # then open http://localhost:8501
#
# Everything the app needs ships in the image (model and MNIST in nnviz/assets/);
# nothing is downloaded at run time.  See docs/DEPLOY.md for several replicas.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # one BLAS thread per process: replicas, not threads, use the cores
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true \
    # no file watcher in production: nothing edits the code in a running container
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

# A user without a login or a home full of secrets; the app only reads its files.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin nnviz
WORKDIR /app

# Dependencies first, so a code change does not reinstall them: requirements.txt (what
# Community Cloud installs), with every transitive package held to the tested versions.
COPY requirements.txt requirements.lock ./
RUN pip install -r requirements.txt -c requirements.lock

COPY . .
# the files stay root's: the app's user can read them, not change them
USER nnviz

EXPOSE 8501
# Streamlit answers "ok" on /_stcore/health once the server is up.  Python's urllib
# instead of curl: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
