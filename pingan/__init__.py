import os

# One BLAS thread per process: a web request multiplies one question by the
# articles' embeddings (1 ms), and OpenBLAS's own threads, spinning beside the
# embedding model's, made that 100 ms on 2 cores (measured; bench/legal_retrieval.py).
# Set before numpy is first imported, which is why it lives here.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
