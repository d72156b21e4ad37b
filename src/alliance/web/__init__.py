"""The web layer: a FastAPI app (`alliance serve`) with a versioned JSON API under /api/v1 and
the dashboard pages. A thin shell over the library: routes only call library functions and
return their result types; no figure, SQL or computation lives here.
"""
