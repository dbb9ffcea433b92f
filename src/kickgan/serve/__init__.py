"""``kickgan serve``: a local web app to audition, steer, vary, morph, encode and download kicks.

- :mod:`kickgan.serve.studio`: kicks by id, made by the producer functions under one model lock;
- :mod:`kickgan.serve.app`: the Starlette routes (JSON in, JSON or files out);
- :mod:`kickgan.serve.pictures`, :mod:`kickgan.serve.uploads`, :mod:`kickgan.serve.kits`: what a pad
  shows, checked uploads, favourites as kits;
- ``static/``: the page (plain HTML, CSS and JavaScript with Web Audio).
"""
